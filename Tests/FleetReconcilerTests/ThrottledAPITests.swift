import FleetModel
import Foundation
import Logging
import PorterSandbox
import Testing

@testable import FleetReconciler

@Suite("Flow control against a local API that throttles (local serve --rate-limit)")
struct ThrottledAPITests {
    /// 200 sandboxes through an API that takes 20 requests a second: the limiter backs off (it learns a
    /// rate no higher than the quota, and the SDK's retries went through its pause), 429 answers stay under
    /// 10% of the creates, and no action fails. The ceiling is 8 (`--concurrency 8`) so the first burst of
    /// 429s, before anything is learned, is small beside 200 creates; the benchmark measures the defaults.
    @Test func theLimiterBacksOffAndFewCreatesAreThrottled() async throws {
        let harness = try await ReconcilerHarness.start(rateLimit: 20, retries: .standard)
        var options = ControllerOptions()
        options.flow.ceiling = 8
        options.logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let metrics = FleetMetrics()
        let traffic = APITraffic(flow: FlowControl(options: options.flow), metrics: metrics)
        let porter = traffic.porter(endpoint: try PorterEndpoint.resolve(apiKey: nil, baseURL: harness.api.baseURL, environment: [:]))
        // The client and the API are shut down however the checks end: a client left running would end
        // the whole test process when it is released.
        do {
            try await check(harness: harness, porter: porter, traffic: traffic, options: options, metrics: metrics)
        } catch {
            try? await porter.shutdown()
            await harness.stop()
            throw error
        }
        try await porter.shutdown()
        await harness.stop()
    }

    private func check(harness: ReconcilerHarness, porter: Porter, traffic: APITraffic, options: ControllerOptions, metrics: FleetMetrics) async throws {
        let controller = FleetController(store: harness.store, backend: PorterSandboxBackend(porter: porter), options: options, flow: traffic.flow)
        try harness.apply("apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: w\nspec:\n  replicas: 200\n  template: {image: 'python:3.12-slim', command: [sleep, infinity]}\n")

        let results = try await harness.converge(controller)

        let exposition = metrics.render()
        let created = Self.count(in: exposition, route: "/v1/sandbox/run", code: "201")
        let throttled = Self.count(in: exposition, route: "/v1/sandbox/run", code: "429")
        #expect(results.allSatisfy { $0.failed.isEmpty }, "no failed action: \(results.flatMap(\.failed))")
        #expect(created == 200)
        #expect(throttled > 0, "the API throttled (else this test proves nothing)")
        #expect(Double(throttled) <= 0.1 * Double(created), "429 answers: \(throttled) of \(created) creates")
        let flow = traffic.flow.snapshot
        #expect(flow.backoffs >= 1, "the concurrency limit went down")
        let learned = try #require(flow.learnedRate, "a rate was learned from the throttling")
        #expect(learned < 40, "learned \(learned)/s for a quota of 20/s (it creeps up while paced, at least 1/s a second, until the next throttle)")
    }

    /// The value of `porter_fleet_api_requests_total` for one route and code (0 when absent).
    static func count(in exposition: String, route: String, code: String) -> Int {
        let prefix = "porter_fleet_api_requests_total{method=\"POST\",route=\"\(route)\",code=\"\(code)\"} "
        return exposition.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
    }
}
