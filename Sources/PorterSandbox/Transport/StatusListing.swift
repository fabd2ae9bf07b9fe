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
                if let page = StatusPageReader.read(bytes) { return page }
                return try await converter.getResponseBodyAsJSON(Components.Schemas.ListResponse.self, from: HTTPBody(bytes), transforming: { $0 })
            })
    }
}
