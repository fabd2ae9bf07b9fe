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
        try await withLocalAPI({ $0.rateLimit = 5 }) { api in
            var statuses: [UInt] = []
            var retryAfter: [String] = []
            for _ in 0..<8 {
                var request = HTTPClientRequest(url: api.baseURL + "/v1/sandbox")
                request.headers.add(name: "Authorization", value: "Bearer first")
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                statuses.append(response.status.code)
                retryAfter += response.headers["Retry-After"]
                _ = try await response.body.collect(upTo: 1 << 20)
            }
            #expect(statuses.prefix(5).allSatisfy { $0 == 200 } && statuses.suffix(3).allSatisfy { $0 == 429 }, "\(statuses)")
            #expect(retryAfter == ["1", "1", "1"])
            let health = try await HTTPClient.shared.execute(HTTPClientRequest(url: api.baseURL + "/healthz"), timeout: .seconds(10))
            #expect(health.status.code == 200, "health checks are not API requests")
        }
    }
}
