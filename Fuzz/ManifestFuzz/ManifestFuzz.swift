import FleetModel
import Foundation
import FuzzSupport

/// libFuzzer target for the manifest parser (YAML and JSON from files a user or a repository gives
/// `apply`): any bytes end in manifests or in located errors, never in a trap or a hang; every error
/// names a line and column within the input.
enum ManifestFuzz {
    static func run(_ data: Data) {
        do {
            _ = try ManifestParser.parse(data: data, file: "fuzz.yaml")
        } catch {
            for problem in error.errors {
                precondition(problem.location.line >= 1 && problem.location.column >= 1, "error without a location: \(problem)")
            }
        }
    }
}

@main
struct ManifestFuzzMain {
    static func main() {
        // Lazily built rules (the schema of each kind, patterns) are made before the first input, so the
        // fuzzer's leak check does not take them for memory an input leaked.
        for kind in ResourceKind.allCases { _ = ManifestSchema.manifest(of: kind) }
        _ = ManifestSchema.manifest(of: nil)
        ManifestFuzz.run(Data(Self.warmUp.utf8))
        FuzzMain.run(ManifestFuzz.run)
    }

    /// One valid document of each kind, and an invalid one.
    static let warmUp = """
        apiVersion: porter-fleet/v1
        kind: Sandbox
        name: api
        tags: {team: a}
        spec: {image: busybox, command: [sleep, "1"], env: {A: b}, resources: {cpu: 500m, memory: 1Gi}, networking: [{port: 8080}], volume_mounts: {/d: data}}
        ---
        apiVersion: porter-fleet/v1
        kind: SandboxSet
        name: set
        spec: {replicas: 2, template: {image: busybox, ttl_seconds: 60, restart_policy: always}}
        ---
        apiVersion: porter-fleet/v1
        kind: Volume
        name: data
        spec: {deletion_policy: delete}
        ---
        apiVersion: porter-fleet/v1
        kind: Sandbox
        name: Bad_Name
        spec: {image: "", port: 80}
        """
}
