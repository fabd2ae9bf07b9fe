import Foundation
import Testing
@testable import PorterSandbox

@Suite("The API key never appears in logs or errors")
struct SecretHandlingTests {
    static let key = makeToken(payload: #"{"project_id":77}"#)

    @Test func keyIsAbsentFromEveryLogLineAndError() async throws {
        let capture = LogCapture()
        var errors: [String] = []
        try await withScriptedAPI(apiKey: Self.key, logger: capture.logger(), { request, index in
            switch request.path {
            case "/healthz": .json(200, #"{"status":"ok"}"#)
            case "/v1/sandbox/run": index < 2 ? .error(503, "warming up") : .json(201, #"{"id":"sb-1","name":"n"}"#)
            case "/moved": .redirect(307, to: "/healthz")
            default: .error(401, "token rejected")
            }
        }) { porter, server in
            _ = try await porter.health()
            _ = try await porter.sandboxes.create(image: "busybox", name: "n")
            do { _ = try await porter.sandboxes.get(id: "sb-1") } catch { errors.append("\(error)"); errors.append(String(reflecting: error)) }
            #expect(server.requests.allSatisfy { $0.header("Authorization") == "Bearer \(Self.key)" })
        }
        let lines = capture.all
        #expect(lines.contains { $0.contains("request") }, "requests are logged at debug level")
        #expect(lines.contains { $0.contains("retrying") })
        #expect(!errors.isEmpty)
        for line in lines + errors {
            #expect(!line.contains(Self.key))
            #expect(!line.contains("Bearer"))
        }
    }
}
