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
        FuzzMain.run(ManifestFuzz.run)
    }
}
