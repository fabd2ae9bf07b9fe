import Crypto
import Foundation
import HTTPTypes
import OpenAPIRuntime
import PorterSandbox
import Synchronization

/// How ``StatusListing`` reads pages. Everything on is what the controller uses; the rest exists so the
/// reconciler benchmark can measure what each part is worth against the generated decoder
/// (docs/benchmarks.md, "What the listing's shortcuts are worth").
public struct ListingOptions: Sendable {
    /// Read pages with ``StatusPageReader`` (the generated decoder only when it declines); otherwise
    /// every page is decoded by the generated client's `JSONDecoder`.
    public var readsBytes = true
    /// Leave a page undecoded when its body has the digest the caller already knows.
    public var reusesUnchangedPages = true

    /// Every shortcut on.
    public init() {}

    /// Every page decoded by the generated client, none reused: the SDK's own `listStatuses` plus a digest.
    public static let generated: ListingOptions = {
        var options = ListingOptions()
        options.readsBytes = false
        options.reusesUnchangedPages = false
        return options
    }()
}

/// `GET /v1/sandbox` for a caller that lists the same filters over and over (a controller's every pass):
/// each page comes with the SHA-256 of its body, is not decoded again when the caller already knows that
/// digest, and is otherwise read by ``StatusPageReader``, about ten times faster than the generated
/// `Codable` path on Linux.
///
/// The request is the generated client's own (`listSandboxes`), sent through the `Porter` client's
/// transport and middlewares; ``PageBodyTap``, innermost, takes the page body as it arrives.
public struct StatusListing: Sendable {
    private let client: Client
    /// The shortcuts in use.
    public let options: ListingOptions

    /// Listings through `porter`'s transport, middlewares and configuration.
    public init(porter: Porter, options: ListingOptions = ListingOptions()) {
        client = porter.generatedClient(addingInnermost: [PageBodyTap()])
        self.options = options
    }

    /// Page `page` (1-based) of the sandboxes with all of `tags` in any of `phases`; not decoded when its
    /// body has `knownDigest`.
    public func page(tags: [String: String], phases: [SandboxPhaseFilter], page: Int, knownDigest: BodyDigest?) async throws(PorterError) -> StatusPage {
        let query = Operations.ListSandboxes.Input.Query(
            tag: Sandboxes.tagQuery(tags), phase: phases.isEmpty ? nil : phases, page: Int64(page))
        let capture = PageCapture(knownDigest: knownDigest, options: options)
        let client = self.client
        let decoded = try await PorterCall.perform {
            try await PageCapture.$current.withValue(capture) { try await client.listSandboxes(query: query).ok.body.json }
        }
        switch capture.outcome {
        case .unchanged(let digest): return StatusPage(digest: digest, response: nil)
        case .read(let digest, let page): return StatusPage(digest: digest, response: page)
        case .decoded(let digest): return StatusPage(digest: digest, response: decoded)
        case nil: throw PorterError(kind: .invalidResponse, statusCode: 200, message: "A sandbox listing whose body was not seen")
        }
    }
}

/// What the tap did with a page's body, for the call that asked for it.
final class PageCapture: Sendable {
    enum Outcome: Sendable, Equatable {
        /// The body had the known digest; the generated decoder was given an empty page.
        case unchanged(BodyDigest)
        /// ``StatusPageReader`` read it; the generated decoder was given an empty page.
        case read(BodyDigest, Components.Schemas.ListResponse)
        /// The generated decoder was given the body.
        case decoded(BodyDigest)
    }

    /// The capture of the listing call this task is making.
    @TaskLocal static var current: PageCapture?

    let knownDigest: BodyDigest?
    let options: ListingOptions
    private let result = Mutex<Outcome?>(nil)

    /// A capture for a call that knows `knownDigest` (ignored unless `options` reuse unchanged pages).
    init(knownDigest: BodyDigest?, options: ListingOptions) {
        self.knownDigest = options.reusesUnchangedPages ? knownDigest : nil
        self.options = options
    }

    var outcome: Outcome? { result.withLock { $0 } }

    func record(_ outcome: Outcome) { result.withLock { $0 = outcome } }
}

/// The innermost middleware of ``StatusListing``'s client: for a listing answered 200 it reads the body,
/// hashes it, and reads it with ``StatusPageReader`` when the caller's options say so. What it read goes
/// to the call's ``PageCapture``, and the generated decoder is then handed an empty page instead of
/// decoding the body a second time; a body the reader declines (or that the options leave to the
/// generated decoder) is handed on as it came, so errors are the generated client's.
struct PageBodyTap: ClientMiddleware {
    /// The largest page body read (a page holds at most 100 statuses; this is far above any real one).
    static let maximumBody = 64 << 20

    /// A valid, empty `ListResponse`: what the generated decoder reads when the page was read here.
    static let emptyPage = Array(#"{"sandboxes":[],"pagination":{"current_page":1,"total_pages":1,"has_next_page":false}}"#.utf8)

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await next(request, body, baseURL)
        guard operationID == Operations.ListSandboxes.id, response.status.code == 200, let capture = PageCapture.current, let responseBody
        else { return (response, responseBody) }
        let bytes = try await [UInt8](collecting: responseBody, upTo: Self.maximumBody)
        let digest = BodyDigest(hashing: bytes)
        if digest == capture.knownDigest {
            capture.record(.unchanged(digest))
            return (response, HTTPBody(Self.emptyPage))
        }
        if capture.options.readsBytes, let page = StatusPageReader.read(bytes) {
            capture.record(.read(digest, page))
            return (response, HTTPBody(Self.emptyPage))
        }
        capture.record(.decoded(digest))
        return (response, HTTPBody(bytes))
    }
}

/// The SHA-256 of a response body as the API sent it: two bodies with one digest are the same bytes.
public struct BodyDigest: Hashable, Sendable {
    /// The digest's 32 bytes.
    private let words: (UInt64, UInt64, UInt64, UInt64)

    /// The digest of `bytes`.
    public init(hashing bytes: [UInt8]) {
        words = SHA256.hash(data: bytes).withUnsafeBytes { bytes in
            (bytes.loadUnaligned(as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
    }

    /// Whether the two digests are the same.
    public static func == (a: BodyDigest, b: BodyDigest) -> Bool { a.words == b.words }

    /// Hashes the digest's bytes.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}

/// One page of a sandbox listing, read by ``StatusListing/page(tags:phases:page:knownDigest:)``.
public struct StatusPage: Sendable {
    /// The digest of the page's body.
    public var digest: BodyDigest
    /// The page; nil when its body had the digest the caller already knew, so it was not decoded again.
    public var response: Components.Schemas.ListResponse?
}
