import Crypto
import Foundation
import HTTPTypes
@_spi(Generated) import OpenAPIRuntime

/// `GET /v1/sandbox` through the same transport, middlewares and configuration as the generated client,
/// with the page read by ``StatusPageReader`` (the generated decoder only when that declines). The
/// request is built exactly as the generated `listSandboxes` builds it.
struct StatusListing: Sendable {
    let client: UniversalClient

    /// A listing that sends as a generated client with these arguments would.
    init(serverURL: URL, configuration: Configuration, transport: any ClientTransport, middlewares: [any ClientMiddleware]) {
        client = UniversalClient(serverURL: serverURL, configuration: configuration, transport: transport, middlewares: middlewares)
    }

    /// The largest page body read (a page holds at most 100 statuses; this is far above any real one).
    static let maximumBody = 64 << 20

    /// One page for `query`.
    func list(_ query: Operations.ListSandboxes.Input.Query) async throws -> Components.Schemas.ListResponse {
        guard let response = try await list(query, knownDigest: nil).response else {
            throw PorterError(kind: .invalidResponse, statusCode: 200, message: "A sandbox listing without a page")
        }
        return response
    }

    /// One page for `query`, not decoded when its body has `knownDigest`.
    func list(_ query: Operations.ListSandboxes.Input.Query, knownDigest: BodyDigest?) async throws -> StatusPage {
        let converter = client.converter
        return try await client.send(
            input: query,
            forOperation: Operations.ListSandboxes.id,
            serializer: { query in
                let path = try converter.renderedPath(template: "/v1/sandbox", parameters: [])
                var request = HTTPRequest(soar_path: path, method: .get)
                try converter.setQueryItemAsURI(in: &request, style: .form, explode: true, name: "start_time", value: query.startTime)
                try converter.setQueryItemAsURI(in: &request, style: .form, explode: true, name: "end_time", value: query.endTime)
                try converter.setQueryItemAsURI(in: &request, style: .form, explode: true, name: "search", value: query.search)
                try converter.setQueryItemAsURI(in: &request, style: .form, explode: true, name: "tag", value: query.tag)
                try converter.setQueryItemAsURI(in: &request, style: .form, explode: true, name: "phase", value: query.phase)
                try converter.setQueryItemAsURI(in: &request, style: .form, explode: true, name: "image", value: query.image)
                try converter.setQueryItemAsURI(
                    in: &request, style: .form, explode: true, name: "include_filter_values", value: query.includeFilterValues)
                try converter.setQueryItemAsURI(in: &request, style: .form, explode: true, name: "page", value: query.page)
                converter.setAcceptHeader(in: &request.headerFields, contentTypes: Operations.ListSandboxes.Input.Headers().accept)
                return (request, nil)
            },
            deserializer: { response, body in
                guard response.status.code == 200 else {
                    throw PorterError(kind: .invalidResponse, statusCode: response.status.code, message: "Unexpected status \(response.status.code) listing sandboxes")
                }
                _ = try converter.bestContentType(received: converter.extractContentTypeIfPresent(in: response.headerFields), options: ["application/json"])
                guard let body else { throw PorterError(kind: .invalidResponse, statusCode: 200, message: "A sandbox listing without a body") }
                let bytes = try await [UInt8](collecting: body, upTo: Self.maximumBody)
                let digest = BodyDigest(SHA256.hash(data: bytes))
                if digest == knownDigest { return StatusPage(digest: digest, response: nil) }
                if let page = StatusPageReader.read(bytes) { return StatusPage(digest: digest, response: page) }
                let page = try await converter.getResponseBodyAsJSON(Components.Schemas.ListResponse.self, from: HTTPBody(bytes), transforming: { $0 })
                return StatusPage(digest: digest, response: page)
            })
    }
}

/// The SHA-256 of a response body as the API sent it: two bodies with one digest are the same bytes.
public struct BodyDigest: Hashable, Sendable {
    /// The digest's 32 bytes.
    private let words: (UInt64, UInt64, UInt64, UInt64)

    init(_ digest: SHA256Digest) {
        words = digest.withUnsafeBytes { bytes in
            (bytes.loadUnaligned(as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
    }

    /// The digest of `bytes`.
    public init(hashing bytes: [UInt8]) { self.init(SHA256.hash(data: bytes)) }

    public static func == (a: BodyDigest, b: BodyDigest) -> Bool { a.words == b.words }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}

/// One page of a sandbox listing, read by ``Sandboxes/listStatuses(tags:phases:search:page:knownDigest:)``.
public struct StatusPage: Sendable {
    /// The digest of the page's body.
    public var digest: BodyDigest
    /// The page; nil when its body had the digest the caller already knew, so it was not decoded again.
    public var response: Components.Schemas.ListResponse?
}
