import Foundation
import Testing
@testable import PorterSandbox

@Suite("Errors, retries and timeouts (reference §1.5, §1.6, §1.8)")
struct ErrorMappingTests {
    struct StatusCase: Sendable, CustomTestStringConvertible {
        var reply: ScriptedReply
        var kind: PorterError.Kind
        var message: String
        /// Attempts the client makes: 4 for retried statuses (3 retries), else 1.
        var attempts: Int
        var testDescription: String { "HTTP \(reply.status) → \(kind)" }
    }

    static let statusCases: [StatusCase] = [
        StatusCase(reply: .error(400, "image is required"), kind: .unexpectedStatus, message: "image is required", attempts: 1),
        StatusCase(reply: .error(401, "invalid token"), kind: .authentication, message: "invalid token", attempts: 1),
        StatusCase(reply: .error(403, "forbidden"), kind: .unexpectedStatus, message: "forbidden", attempts: 1),
        StatusCase(reply: .error(404, "sandbox not found"), kind: .notFound, message: "sandbox not found", attempts: 1),
        StatusCase(reply: .error(409, "name already used"), kind: .conflict, message: "name already used", attempts: 1),
        StatusCase(reply: .error(413, "too large"), kind: .unexpectedStatus, message: "too large", attempts: 1),
        StatusCase(reply: .error(429, "slow down"), kind: .rateLimited, message: "slow down", attempts: 4),
        StatusCase(reply: .error(500, "boom"), kind: .server, message: "boom", attempts: 4),
        StatusCase(reply: .error(503, "not ready"), kind: .server, message: "not ready", attempts: 4),
        StatusCase(reply: ScriptedReply(status: 502, headers: [("Content-Type", "text/html")], body: Data("<html>bad gateway</html>".utf8)),
                   kind: .server, message: "HTTP 502", attempts: 4),
        StatusCase(reply: .json(418, #"{"error": 5}"#), kind: .unexpectedStatus, message: "HTTP 418", attempts: 1),
        StatusCase(reply: ScriptedReply(status: 302), kind: .unexpectedStatus, message: "HTTP 302", attempts: 1),
    ]

    @Test(arguments: statusCases)
    func mapsStatus(_ testCase: StatusCase) async throws {
        try await withScriptedAPI(replies: [testCase.reply]) { porter, server in
            let error = await #expect(throws: PorterError.self) { try await porter.sandboxes.get(id: "sb-1") }
            #expect(error?.kind == testCase.kind)
            #expect(error?.statusCode == testCase.reply.status)
            #expect(error?.message == testCase.message)
            #expect(server.requests.count == testCase.attempts)
        }
    }

    @Test func retriedStatusThenSuccess() async throws {
        try await withScriptedAPI(replies: [.error(503, "warming"), .error(429, "busy"), .json(200, minimalStatusJSON)]) { porter, server in
            let sandbox = try await porter.sandboxes.get(id: "sb-1")
            #expect(sandbox.phase == .running)
            #expect(server.requests.count == 3)
        }
    }

    @Test func nonIdempotentCallsAreRetriedLikeTheOfficialSDKs() async throws {
        try await withScriptedAPI(replies: [.error(500, "x"), .json(201, #"{"id":"sb-1","name":"n"}"#)]) { porter, server in
            _ = try await porter.sandboxes.create(image: "busybox", name: "n")
            #expect(server.requests.count == 2)
            #expect(server.requests[0].body == server.requests[1].body)
        }
    }

    @Test(arguments: [500, 503, 429])
    func execIsNeverRetried(_ status: Int) async throws {
        try await withScriptedAPI(replies: [.error(status, "flaky")]) { porter, server in
            let sandbox = Sandbox(id: "sb-1", name: nil, client: porter.raw)
            let error = await #expect(throws: PorterError.self) { try await sandbox.exec(["true"]) }
            #expect(error?.statusCode == status)
            #expect(server.requests.count == 1)
        }
    }

    @Test func execNonZeroExitIsNotAnError() async throws {
        try await withScriptedAPI(replies: [.json(200, #"{"stdout":"","stderr":"no","exit_code":3}"#)]) { porter, server in
            let result = try await Sandbox(id: "sb-1", name: nil, client: porter.raw).exec(["false"])
            #expect(result.exitCode == 3)
            #expect(result.execId == nil)
            let body = try #require(try JSONSerialization.jsonObject(with: server.requests[0].body) as? [String: [String]])
            #expect(body == ["command": ["false"]])
        }
    }

    @Test func timeoutIsTypedAndNeverRetried() async throws {
        try await withScriptedAPI(timeout: .seconds(1), replies: [.json(200, minimalStatusJSON, delay: .seconds(4))]) { porter, server in
            let error = await #expect(throws: PorterError.self) { try await porter.sandboxes.get(id: "sb-1") }
            #expect(error?.kind == .timeout)
            #expect(error?.statusCode == nil)
            // A retry would arrive within the backoff; on a loaded machine the first request itself may not
            // have reached the server before the timeout, so at most one is the invariant.
            try await Task.sleep(for: .milliseconds(600))
            #expect(server.requests.count <= 1, "a timed-out request is never retried")
        }
    }

    @Test func execHasNoDefaultTimeoutButHonoursOne() async throws {
        let slowExec = ScriptedReply.json(200, #"{"stdout":"ok","stderr":"","exit_code":0,"exec_id":"ex-1"}"#, delay: .milliseconds(600))
        try await withScriptedAPI(timeout: .milliseconds(200), replies: [slowExec]) { porter, server in
            let sandbox = Sandbox(id: "sb-1", name: nil, client: porter.raw)
            let result = try await sandbox.exec(["sleep", "0.6"])
            #expect(result.stdout == "ok")
            #expect(result.execId == "ex-1")
            let error = await #expect(throws: PorterError.self) { try await sandbox.exec(["sleep", "0.6"], timeout: .milliseconds(100)) }
            #expect(error?.kind == .timeout)
            // Never retried; on a loaded machine the timed-out request may not have reached the server at all.
            try await Task.sleep(for: .milliseconds(300))
            #expect((1...2).contains(server.requests.count), "an exec that timed out is never sent again")
        }
    }

    @Test func fileTransfersHaveNoDefaultTimeout() async throws {
        let slowRead = ScriptedReply(status: 200, headers: [("Content-Type", "application/octet-stream")], body: Data("abc".utf8), delay: .milliseconds(500))
        try await withScriptedAPI(timeout: .milliseconds(150), { request, _ in
            request.method == "PUT" ? ScriptedReply(status: 204, delay: .milliseconds(500)) : slowRead
        }) { porter, _ in
            let volume = Volume(record: try JSONDecoder.api.decode(VolumeRecord.self, from: Data(minimalVolumeJSON.utf8)), client: porter.raw)
            try await volume.writeFile(path: "a", data: Data("abc".utf8))
            let content = try await volume.readFile(path: "a")
            #expect(content.data == Data("abc".utf8))
            #expect(content.contentRange == nil)
        }
    }

    @Test func connectionErrorsAreRetriedThenReportedAsTransport() async throws {
        // A port that was just closed: every attempt is refused.
        let closed = try await ScriptedServer.start(replies: [.empty(204)])
        let url = closed.baseURL
        await closed.stop()
        let capture = LogCapture()
        let porter = try Porter(baseURL: url, retryPolicy: fastRetries, environment: [:], logger: capture.logger())
        let error = await #expect(throws: PorterError.self) { try await porter.health() }
        try await porter.shutdown()
        #expect(error?.kind == .transport)
        #expect(error?.message.hasPrefix("Network error") == true)
        #expect(capture.all.filter { $0.contains("retrying") }.count == 3)
    }

    @Test func undecodableSuccessIsInvalidResponse() async throws {
        try await withScriptedAPI(replies: [.json(200, #"{"id":"sb-1"}"#)]) { porter, _ in
            let error = await #expect(throws: PorterError.self) { try await porter.sandboxes.get(id: "sb-1") }
            #expect(error?.kind == .invalidResponse)
        }
    }

    @Test func backoffCapsDoubleUpToTheMaximum() {
        let policy = RetryPolicy.standard
        #expect(policy.maxRetries == 3)
        #expect((0..<6).map { policy.backoffCap(beforeRetry: $0) } == [
            .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8),
        ])
        for retry in 0..<3 {
            let sleep = policy.jitteredBackoff(beforeRetry: retry)
            #expect(sleep >= .zero && sleep <= policy.backoffCap(beforeRetry: retry))
        }
    }
}
