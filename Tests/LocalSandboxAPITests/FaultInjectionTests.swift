import Foundation
import LocalSandboxAPI
import PorterSandbox
import Testing

@Suite("Local API: injected faults")
struct FaultInjectionTests {
    @Test func serverErrorsAreRetriedThenReported() async throws {
        try await withLocalAPI({ $0.faults = FaultSpec(serverErrorRate: 1) }) { api in
            let error = await #expect(throws: PorterError.self) { try await api.porter.sandboxes.list() }
            #expect(error?.kind == .server && error?.message.contains("injected") == true)
            let checked0 = try await api.porter.health().status == "ok"
            #expect(checked0, "health is never faulted")
        }
    }

    @Test func rateLimitsAreReportedAfterRetries() async throws {
        try await withLocalAPI({ $0.faults = FaultSpec(rateLimitRate: 1) }) { api in
            let error = await #expect(throws: PorterError.self) { try await api.porter.volumes.list() }
            #expect(error?.kind == .rateLimited)
        }
    }

    @Test func droppedCreatesTakeEffect() async throws {
        let harness = try await LocalAPIHarness.start(retryPolicy: .none) { $0.faults = FaultSpec(dropRate: 1) }
        defer { Task { await harness.stopAndRemove() } }
        let error = await #expect(throws: PorterError.self) {
            try await harness.porter.sandboxes.create(image: "busybox", name: "ghost-g1")
        }
        #expect(error?.kind == .transport || error?.kind == .timeout)
        let id = try await harness.porter.sandboxes.lookup(name: "ghost-g1")
        #expect(!id.isEmpty, "the create happened although the client never heard of it")
    }

    @Test func retriedDroppedCreateCollidesWithItsOwnName() async throws {
        try await withLocalAPI({ $0.faults = FaultSpec(dropRate: 0.5); $0.seed = 3 }) { api in
            var outcomes: [String] = []
            for index in 0..<6 {
                do {
                    _ = try await api.porter.sandboxes.create(image: "busybox", name: "n\(index)")
                    outcomes.append("created")
                } catch let error as PorterError {
                    outcomes.append(error.kind.rawValue)
                }
            }
            let names = try await api.porter.sandboxes.list().sandboxes.compactMap(\.name)
            #expect(Set(names) == Set((0..<6).map { "n\($0)" }), "every create took effect exactly once: \(outcomes)")
            #expect(outcomes.contains("conflict") || outcomes.contains("transport"), "with drops some creates are not answered: \(outcomes)")
        }
    }

    @Test func outOfBandKills() async throws {
        try await withLocalAPI({ $0.faults = FaultSpec(killRate: 50) }) { api in
            let sandbox = try await api.porter.sandboxes.create(image: "busybox", name: "victim")
            let status = try await api.waitFor(sandbox) { $0.phase.isTerminal }
            #expect(status.phase == .failed && status.terminationReason == .backendLost)
        }
    }

    @Test func latencyIsAdded() async throws {
        try await withLocalAPI({ $0.faults = FaultSpec(maxLatency: .milliseconds(40)) }) { api in
            let clock = ContinuousClock()
            var slowest = Duration.zero
            for _ in 0..<10 {
                let elapsed = try await clock.measure { _ = try await api.porter.sandboxes.list() }
                slowest = max(slowest, elapsed)
            }
            #expect(slowest >= .milliseconds(5), "some request waited for injected latency")
        }
    }
}
