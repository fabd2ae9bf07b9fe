import AsyncHTTPClient
import Foundation
import LocalSandboxAPI
import NIOCore
import Testing

@testable import LocalSandboxAPI

/// `local serve --rate-limit N`: a token bucket per API token; beyond it, 429 with `Retry-After`.
@Suite("Local API: request rate limit")
struct RequestRateLimitTests {
    @Test func theBucketAdmitsItsBurstThenRefillsAtTheRate() {
        let limit = RequestRateLimit(rate: 4)
        let start = ContinuousClock.now
        #expect((0..<4).allSatisfy { _ in limit.admit("a", now: start) == nil }, "a burst of 4")
        let wait = limit.admit("a", now: start)
        #expect(wait == .milliseconds(250), "the fifth waits a quarter of a second")
        #expect(limit.admit("b", now: start) == nil, "another token has its own bucket")
        #expect(limit.admit("a", now: start + .milliseconds(260)) == nil, "one token back after 1/4 s")
        #expect(limit.admit("a", now: start + .milliseconds(270)) != nil)
        #expect(RequestRateLimit.retryAfter(.milliseconds(250)) == "1" && RequestRateLimit.retryAfter(.milliseconds(2100)) == "3")
    }

    @Test func requestsBeyondTheLimitGet429WithRetryAfterOverHTTP() async throws {
        // One request every 100 s: however slow this machine, the second comes too soon.
        try await withLocalAPI({ $0.rateLimit = 0.01 }) { api in
            func get(_ token: String) async throws -> (UInt, [String]) {
                var request = HTTPClientRequest(url: api.baseURL + "/v1/sandbox")
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 1 << 20)
                return (response.status.code, response.headers["Retry-After"])
            }
            let first = try await get("first")
            let second = try await get("first")
            let third = try await get("first")
            #expect(first.0 == 200 && first.1.isEmpty)
            #expect(second.0 == 429 && third.0 == 429)
            let waits = (second.1 + third.1).compactMap(Int.init)
            #expect(waits.count == 2 && waits.allSatisfy { (50...100).contains($0) }, "\(waits)")
            #expect(try await get("other").0 == 200, "another token has its own bucket")
            let health = try await HTTPClient.shared.execute(HTTPClientRequest(url: api.baseURL + "/healthz"), timeout: .seconds(30))
            #expect(health.status.code == 200, "health checks are not API requests")
        }
    }
}
