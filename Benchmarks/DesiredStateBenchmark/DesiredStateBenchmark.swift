import FleetCommands
import Foundation

/// Benchmarks of the desired-state CLI, run with `swift run -c release desired-state-benchmark [--sandboxes N]
/// [--db URL]`: `apply` of an N-sandbox manifest (goal ≤ 2 s for 10,000 on SQLite, ≤ 3 s on PostgreSQL) and
/// `get -o json` of it (goal ≤ 1 s). `--db` names the store (an empty PostgreSQL database, say); by default a
/// new SQLite file.
@main
struct DesiredStateBenchmark {
    static func main() async throws {
        let arguments = CommandLine.arguments
        let count = arguments.firstIndex(of: "--sandboxes").flatMap { Int(arguments[$0 + 1]) } ?? 10_000
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("porter-fleet-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = directory.appendingPathComponent("fleet.yaml")
        var text = "apiVersion: porter-fleet/v1\nkind: Volume\nname: shared\n"
        for index in 0..<count {
            text += """
                ---
                apiVersion: porter-fleet/v1
                kind: Sandbox
                name: sandbox-\(index)
                tags: {team: bench, shard: "\(index % 16)"}
                spec:
                  image: python:3.12-slim
                  command: ["python", "-m", "http.server", "8080"]
                  env: {LOG_LEVEL: info, INDEX: "\(index)"}
                  volume_mounts: {/mnt/shared: shared}
                  resources: {cpu: 500m, memory: 256Mi}
                  restart_policy: always

                """
        }
        try text.write(to: manifest, atomically: true, encoding: .utf8)
        let database = arguments.firstIndex(of: "--db").map { arguments[$0 + 1] } ?? directory.appendingPathComponent("fleet.db").path
        let engine = database.hasPrefix("postgres") ? "postgres" : "sqlite"
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; manifest: \(count) sandboxes, \(text.utf8.count / 1024) KiB; store: \(engine)")

        let clock = ContinuousClock()
        for round in ["apply (all created)", "apply again (all unchanged)"] {
            let output = CapturedOutput()
            var code: Int32 = 0
            let elapsed = await clock.measure {
                code = await PorterFleetCommand.execute(["apply", "--db", database, "-f", manifest.path, "-o", "json"], output: output.output)
            }
            guard code == 0 else { fatalError(output.standardError) }
            print(String(format: "%@ [%@]: %.3f s (goal ≤ %@)", round, engine, seconds(elapsed), engine == "postgres" ? "3 s" : "2 s"))
        }
        let output = CapturedOutput()
        let elapsed = await clock.measure {
            _ = await PorterFleetCommand.execute(["get", "--db", database, "-o", "json"], output: output.output)
        }
        print(String(format: "get -o json [%@]: %.3f s for %d KiB of JSON (goal ≤ 1 s)", engine, seconds(elapsed), output.standardOutput.utf8.count / 1024))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
