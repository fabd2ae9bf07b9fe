import Foundation
import HTTPTypes
import OpenAPIRuntime
import PorterSandbox
import Testing

@testable import PorterSandboxListing

@Suite("The listing's body tap hands the generated client what it did not read")
struct PageBodyTapTests {
    static let page = Array(
        #"{"pagination":{"current_page":1,"has_next_page":false,"total_pages":1},"sandboxes":[{"id":"a","name":"b","image":"i","phase":"running","created_at":"2026-01-01T00:00:00Z","host":"","tags":{"k":"v"}}]}"#
            .utf8)

    /// The tap's answer to a listing answered 200 with `body`, and what it recorded.
    static func tap(
        _ body: [UInt8], knownDigest: BodyDigest? = nil, options: ListingOptions = ListingOptions(), operationID: String = Operations.ListSandboxes.id
    ) async throws -> (body: [UInt8], outcome: PageCapture.Outcome?) {
        let capture = PageCapture(knownDigest: knownDigest, options: options)
        let (_, answer) = try await PageCapture.$current.withValue(capture) {
            try await PageBodyTap().intercept(
                HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/v1/sandbox"), body: nil, baseURL: URL(string: "http://127.0.0.1")!,
                operationID: operationID
            ) { _, _, _ in (HTTPResponse(status: .ok, headerFields: [.contentType: "application/json"]), HTTPBody(body)) }
        }
        return (try await [UInt8](collecting: try #require(answer), upTo: 1 << 20), capture.outcome)
    }

    @Test func aPageItReadsIsRecordedAndTheGeneratedDecoderGetsAnEmptyOne() async throws {
        let (body, outcome) = try await Self.tap(Self.page)
        #expect(body == PageBodyTap.emptyPage)
        guard case .read(let digest, let response)? = outcome else { Issue.record("not read: \(String(describing: outcome))"); return }
        #expect(digest == BodyDigest(hashing: Self.page))
        #expect(response.sandboxes.map(\.id) == ["a"])
        #expect(await StatusPageReaderTests.generated(PageBodyTap.emptyPage)?.sandboxes == [])
    }

    @Test func aPageWithTheKnownDigestIsNotRead() async throws {
        let (body, outcome) = try await Self.tap(Self.page, knownDigest: BodyDigest(hashing: Self.page))
        #expect(body == PageBodyTap.emptyPage)
        guard case .unchanged(let digest)? = outcome else { Issue.record("not unchanged: \(String(describing: outcome))"); return }
        #expect(digest == BodyDigest(hashing: Self.page))
    }

    @Test func aPageTheReaderDeclinesGoesToTheGeneratedDecoderAsItCame() async throws {
        let declined = Array(String(decoding: Self.page, as: UTF8.self).replacingOccurrences(of: #""tags""#, with: #""t\u0061gs""#).utf8)
        let (body, outcome) = try await Self.tap(declined)
        #expect(body == declined)
        guard case .decoded(let digest)? = outcome else { Issue.record("not left to the decoder: \(String(describing: outcome))"); return }
        #expect(digest == BodyDigest(hashing: declined))
    }

    @Test func withTheGeneratedOptionsEveryPageGoesToTheGeneratedDecoder() async throws {
        let (body, outcome) = try await Self.tap(Self.page, knownDigest: BodyDigest(hashing: Self.page), options: .generated)
        #expect(body == Self.page)
        guard case .decoded? = outcome else { Issue.record("not left to the decoder: \(String(describing: outcome))"); return }
    }

    @Test func otherOperationsPassUntouched() async throws {
        let (body, outcome) = try await Self.tap(Self.page, operationID: Operations.GetSandbox.id)
        #expect(body == Self.page)
        #expect(outcome == nil)
    }
}
