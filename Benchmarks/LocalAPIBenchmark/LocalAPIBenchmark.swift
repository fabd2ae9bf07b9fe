import Foundation
import LocalSandboxAPI
import Logging
import PorterSandbox

/// Benchmarks of the local Sandbox API (simulated runtime), run with
/// `swift run -c release local-api-benchmark [--creates N] [--clients N] [--list N]`:
/// create throughput with concurrent SDK clients, and listing every sandbox page by page.
@main
struct LocalAPIBenchmark {
    static func main() async throws {
        let arguments = CommandLine.arguments
        func value(_ flag: String, _ fallback: Int) -> Int {
            guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count, let number = Int(arguments[index + 1]) else {
                return fallback
            }
            return number
        }
        let creates = value("--creates", 4000)
        let clients = value("--clients", 16)
        let listed = value("--list", 10_000)

        let data = FileManager.default.temporaryDirectory.appendingPathComponent("porter-fleet-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        var configuration = LocalAPIConfiguration(dataDirectory: data)
        configuration.port = 0
        configuration.runtime = .simulated
        configuration.logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let server = try await RunningLocalAPI.start(configuration: configuration)
        let baseURL = server.baseURL
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB; local API at \(baseURL)")

        // 1. Create throughput: `clients` concurrent clients, each with its own connection pool.
        let porters = try (0..<clients).map { _ in try Porter(baseURL: baseURL, environment: [:]) }
        let clock = ContinuousClock()
        let perClient = creates / clients
        let createTime = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (client, porter) in porters.enumerated() {
                    group.addTask {
                        for index in 0..<perClient {
                            _ = try await porter.sandboxes.create(image: "bench:1", name: "c\(client)-\(index)", tags: ["bench": "create"])
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let createSeconds = seconds(createTime)
        let total = perClient * clients
        print(String(format: "create: %d sandboxes with %d concurrent clients in %.2f s = %.0f creates/s (goal ≥ 2000/s)", total, clients, createSeconds, Double(total) / createSeconds))

        // 2. Listing every sandbox page by page (100 a page).
        var existing = total
        let filler = porters[0]
        if existing < listed {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (client, porter) in porters.enumerated() {
                    let share = (listed - existing + clients - 1) / clients
                    group.addTask {
                        for index in 0..<share { _ = try await porter.sandboxes.create(image: "bench:1", name: "l\(client)-\(index)") }
                    }
                }
                try await group.waitForAll()
            }
            existing = try await filler.sandboxes.list().pagination.totalPages > 0 ? listed : existing
        }
        var count = 0
        var pages = 0
        let listTime = try await clock.measure {
            var page = 1
            while true {
                let result = try await filler.sandboxes.list(page: page)
                count += result.sandboxes.count
                pages += 1
                guard result.pagination.hasNextPage else { break }
                page += 1
            }
        }
        print(String(format: "list: %d sandboxes in %d pages in %.3f s (goal < 1 s)", count, pages, seconds(listTime)))

        for porter in porters { try await porter.shutdown() }
        await server.stop()
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
