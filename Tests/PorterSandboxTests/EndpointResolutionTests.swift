import Foundation
import Testing
@testable import PorterSandbox

@Suite("Base URL resolution (reference §1.1–1.2)")
struct EndpointResolutionTests {
    static let token = makeToken(payload: #"{"project_id":7,"sub":"someone"}"#)

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var apiKey: String? = nil
        var baseURL: String? = nil
        var environment: [String: String] = [:]
        var expectedURL: String? = nil
        var expectedKey: String? = nil
        var errorMentions: String? = nil
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "explicit base URL wins over everything", baseURL: "http://127.0.0.1:9000/",
             environment: ["PORTER_SANDBOX_BASE_URL": "http://other:1", "PORTER_CLUSTER_ID": "42", "KUBERNETES_SERVICE_HOST": "10.0.0.1"],
             expectedURL: "http://127.0.0.1:9000"),
        Case(name: "PORTER_SANDBOX_BASE_URL, all trailing slashes removed", environment: ["PORTER_SANDBOX_BASE_URL": "http://localhost:8080/prefix///"],
             expectedURL: "http://localhost:8080/prefix"),
        Case(name: "an empty explicit URL counts as unset", baseURL: "", environment: ["PORTER_SANDBOX_BASE_URL": "http://env:1"],
             expectedURL: "http://env:1"),
        Case(name: "cluster id with the key from the environment", environment: ["PORTER_CLUSTER_ID": "42", "PORTER_SANDBOX_API_KEY": token],
             expectedURL: "https://dashboard.porter.run/api/v2/alpha/projects/7/clusters/42", expectedKey: token),
        Case(name: "cluster id with an explicit key", apiKey: token, environment: ["PORTER_CLUSTER_ID": "abc-1"],
             expectedURL: "https://dashboard.porter.run/api/v2/alpha/projects/7/clusters/abc-1", expectedKey: token),
        Case(name: "cluster id without a key", environment: ["PORTER_CLUSTER_ID": "42"], errorMentions: "PORTER_SANDBOX_API_KEY"),
        Case(name: "cluster id with an empty key", apiKey: "", environment: ["PORTER_CLUSTER_ID": "42", "PORTER_SANDBOX_API_KEY": ""],
             errorMentions: "PORTER_SANDBOX_API_KEY"),
        Case(name: "cluster id with a malformed token", apiKey: "not-a-jwt", environment: ["PORTER_CLUSTER_ID": "42"],
             errorMentions: "does not look like a Porter API token"),
        Case(name: "cluster id with a token lacking project_id", apiKey: makeToken(payload: #"{"sub":"x"}"#),
             environment: ["PORTER_CLUSTER_ID": "42"], errorMentions: "no project_id"),
        Case(name: "in-cluster without a key", environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1"],
             expectedURL: "http://sandbox-api.porter-sandbox-system.svc.cluster.local:8080"),
        Case(name: "in-cluster still sends a key when one is set", environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "PORTER_SANDBOX_API_KEY": "k"],
             expectedURL: "http://sandbox-api.porter-sandbox-system.svc.cluster.local:8080", expectedKey: "k"),
        Case(name: "cluster id beats the in-cluster URL", environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "PORTER_CLUSTER_ID": "9", "PORTER_SANDBOX_API_KEY": token],
             expectedURL: "https://dashboard.porter.run/api/v2/alpha/projects/7/clusters/9", expectedKey: token),
        Case(name: "a key alone says PORTER_CLUSTER_ID is missing", apiKey: token, errorMentions: "PORTER_CLUSTER_ID is missing"),
        Case(name: "nothing set explains the options", errorMentions: "PORTER_SANDBOX_BASE_URL"),
        Case(name: "a base URL that is not http(s)", baseURL: "ftp://host", errorMentions: "not an http(s) URL"),
    ]

    @Test(arguments: cases)
    func resolves(_ testCase: Case) throws {
        if let mention = testCase.errorMentions {
            let error = #expect(throws: PorterError.self) {
                try PorterEndpoint.resolve(apiKey: testCase.apiKey, baseURL: testCase.baseURL, environment: testCase.environment)
            }
            #expect(error?.kind == .invalidConfiguration)
            #expect(error?.message.contains(mention) == true, "\(error?.message ?? "")")
        } else {
            let endpoint = try PorterEndpoint.resolve(apiKey: testCase.apiKey, baseURL: testCase.baseURL, environment: testCase.environment)
            #expect(endpoint.baseURL == testCase.expectedURL)
            #expect(endpoint.apiKey == testCase.expectedKey)
        }
    }

    struct TokenCase: Sendable, CustomTestStringConvertible {
        var name: String
        var token: String
        var projectID: Int?
        var testDescription: String { name }
    }

    static let tokenCases: [TokenCase] = [
        TokenCase(name: "valid", token: makeToken(payload: #"{"project_id":12345}"#), projectID: 12345),
        TokenCase(name: "padding present", token: "a." + Data(#"{"project_id":3}"#.utf8).base64EncodedString() + ".b", projectID: 3),
        TokenCase(name: "two segments", token: "a.b", projectID: nil),
        TokenCase(name: "four segments", token: "a.b.c.d", projectID: nil),
        TokenCase(name: "payload not base64", token: "a.!!!.c", projectID: nil),
        TokenCase(name: "payload not JSON", token: makeToken(payload: "hello"), projectID: nil),
        TokenCase(name: "payload an array", token: makeToken(payload: "[1]"), projectID: nil),
        TokenCase(name: "project_id boolean", token: makeToken(payload: #"{"project_id":true}"#), projectID: nil),
        TokenCase(name: "project_id float", token: makeToken(payload: #"{"project_id":7.5}"#), projectID: nil),
        TokenCase(name: "project_id integral float", token: makeToken(payload: #"{"project_id":7.0}"#), projectID: nil),
        TokenCase(name: "project_id zero", token: makeToken(payload: #"{"project_id":0}"#), projectID: nil),
        TokenCase(name: "project_id negative", token: makeToken(payload: #"{"project_id":-4}"#), projectID: nil),
        TokenCase(name: "project_id string", token: makeToken(payload: #"{"project_id":"7"}"#), projectID: nil),
    ]

    @Test(arguments: tokenCases)
    func readsProjectID(_ testCase: TokenCase) throws {
        if let expected = testCase.projectID {
            #expect(try PorterAPIToken.projectID(fromToken: testCase.token) == expected)
        } else {
            let error = #expect(throws: PorterError.self) { try PorterAPIToken.projectID(fromToken: testCase.token) }
            #expect(error?.kind == .invalidConfiguration)
            #expect(error?.message.contains(testCase.token) == false, "the token must not be echoed")
        }
    }

    @Test func endpointDescriptionsNeverShowTheKey() throws {
        let endpoint = try PorterEndpoint.resolve(apiKey: Self.token, environment: ["PORTER_CLUSTER_ID": "1"])
        var dumped = ""
        dump(endpoint, to: &dumped)
        for text in [endpoint.description, endpoint.debugDescription, "\(endpoint)", String(reflecting: endpoint), dumped] {
            #expect(!text.contains(Self.token))
            #expect(text.contains("<redacted>"))
        }
    }
}
