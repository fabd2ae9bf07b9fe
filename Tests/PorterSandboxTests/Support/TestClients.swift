import Foundation
import Logging
@testable import PorterSandbox

/// Retries as the SDK does, but with millisecond backoff so tests stay fast.
let fastRetries = RetryPolicy(maxRetries: 3, initialBackoff: .milliseconds(2), maxBackoff: .milliseconds(16))

/// Runs `body` with a scripted server and a client pointed at it, then stops both.
func withScriptedAPI<T>(
    apiKey: String? = nil,
    baseURLSuffix: String = "",
    timeout: Duration = .seconds(30),
    logger: Logger? = nil,
    _ script: @escaping ScriptedServer.Script,
    _ body: (Porter, ScriptedServer) async throws -> T
) async throws -> T {
    let server = try await ScriptedServer.start(script)
    let porter = try Porter(
        apiKey: apiKey,
        baseURL: server.baseURL + baseURLSuffix,
        timeout: timeout,
        retryPolicy: fastRetries,
        environment: [:],
        logger: logger ?? Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    )
    do {
        let result = try await body(porter, server)
        try await porter.shutdown()
        await server.stop()
        return result
    } catch {
        try? await porter.shutdown()
        await server.stop()
        throw error
    }
}

/// The same with a fixed list of replies (the last one repeats).
func withScriptedAPI<T>(
    apiKey: String? = nil,
    baseURLSuffix: String = "",
    timeout: Duration = .seconds(30),
    logger: Logger? = nil,
    replies: [ScriptedReply],
    _ body: (Porter, ScriptedServer) async throws -> T
) async throws -> T {
    try await withScriptedAPI(
        apiKey: apiKey, baseURLSuffix: baseURLSuffix, timeout: timeout, logger: logger,
        { _, index in replies[min(index, replies.count - 1)] }, body)
}

/// A status answer with only the required fields.
let minimalStatusJSON = #"{"id":"sb-1","name":"api-g1","image":"python:3.12-slim","phase":"running","created_at":"2026-08-01T12:00:00Z","host":""}"#

/// A volume answer with only the required fields.
let minimalVolumeJSON = #"{"id":"vol-1","name":"data","type":"disk","path":"sandbox-vol-1","phase":"ready","attached_to":[],"created_at":"2026-08-01T12:00:00.123Z"}"#

/// A Porter API token (unsigned JWT) whose payload is `payload`.
func makeToken(payload: String) -> String {
    func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
    return base64URL(#"{"alg":"HS256","typ":"JWT"}"#) + "." + base64URL(payload) + ".c2lnbmF0dXJl"
}
