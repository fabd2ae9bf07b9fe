import FleetStore
import Foundation
import Hummingbird
import Mustache
import PorterSandbox

/// The dashboard's routes on a listener's router: the pages at `/` and `/sandbox/NAME` (complete HTML,
/// readable without JavaScript), their live parts at `/partials/…`, the JSON API under `/api/v1/`
/// (docs/dashboard.md), server-sent change notices at `/api/v1/updates`, and the assets. Read-only: no
/// route changes anything.
public enum DashboardRoutes {
    /// Adds the access check to `router` (it applies to the routes added after it: call this first) and
    /// the dashboard's routes.
    public static func add(
        to router: Router<BasicRequestContext>, source: DashboardSource, settings: DashboardSettings, token: String?, updates: DashboardUpdates
    ) {
        router.add(middleware: DashboardAccess<BasicRequestContext>(token: token))
        router.get("/") { request, _ in
            let query = FleetQuery(parameters(request))
            return html(render(FleetView(page: try await FleetPage.load(source, query: query), query: query.link()), "fleet"))
        }
        router.get("/partials/fleet") { request, _ in
            html(render(FleetView(page: try await FleetPage.load(source, query: FleetQuery(parameters(request))), query: ""), "fleetLive"))
        }
        router.get("/sandbox/:name") { _, context in
            let name = try context.parameters.require("name")
            let page = try await SandboxPage.load(source, name: name, showLogs: settings.showLogs)
            return html(render(SandboxView(page: page, path: name), "sandbox"), status: page.found ? .ok : .notFound)
        }
        router.get("/partials/sandbox/:name") { _, context in
            let name = try context.parameters.require("name")
            return html(render(SandboxView(page: try await SandboxPage.load(source, name: name, showLogs: settings.showLogs), path: name), "sandboxLive"))
        }
        addAPI(to: router, source: source, settings: settings, updates: updates)
        router.get("/assets/dashboard.css") { _, _ in asset(DashboardAssets.stylesheet, type: "text/css; charset=utf-8") }
        router.get("/assets/dashboard.js") { _, _ in asset(DashboardAssets.script, type: "text/javascript; charset=utf-8") }
        router.get("/assets/icon.svg") { _, _ in asset(DashboardAssets.icon, type: "image/svg+xml") }
    }

    private static func addAPI(to router: Router<BasicRequestContext>, source: DashboardSource, settings: DashboardSettings, updates: DashboardUpdates) {
        router.get("/api/v1/status") { request, _ in json(try await FleetPage.load(source, query: FleetQuery(parameters(request)))) }
        router.get("/api/v1/plan") { _, _ in json(await PlanSection.load(source)) }
        router.get("/api/v1/events") { request, _ in
            let query = parameters(request)
            let since = query["since"].flatMap(RFC3339DateTranscoder.parse)
            let limit = min(1000, max(1, query["limit"].flatMap(Int.init) ?? 100))
            let now = Date()
            let objects = try EventObjects(resources: try await source.store.resources())
            return json(try await source.store.events(since: since, limit: limit).map { EventItem($0, object: objects.object(of: $0), now: now) })
        }
        router.get("/api/v1/history/:name") { _, context in
            json(try await SandboxPage.load(source, name: try context.parameters.require("name"), showLogs: false))
        }
        router.get("/api/v1/logs/:name") { _, context -> Response in
            guard settings.showLogs else { throw HTTPError(.notFound, message: "logs are served when the dashboard is started with --dashboard-logs") }
            return json(try await SandboxPage.logTail(source, name: try context.parameters.require("name"), enabled: true))
        }
        router.get("/api/v1/updates") { request, _ -> Response in
            // A page says which revisions it shows; a script without them is told of changes from now on.
            let query = parameters(request)
            let seen: StoreRevisions
            if let desired = query["desired"].flatMap(Int64.init), let reconciler = query["reconciler"].flatMap(Int64.init) {
                seen = StoreRevisions(desired: desired, pruneAllRequested: query["prune"].flatMap(Int64.init), reconciler: reconciler)
            } else {
                seen = try await source.store.revisions()
            }
            let notices = updates.listen(since: seen)
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                    for await notice in notices {
                        switch notice {
                        case .changed(let desired, let reconciler):
                            try await writer.write(ByteBuffer(string: "event: changed\ndata: {\"desired\":\(desired),\"reconciler\":\(reconciler)}\n\n"))
                        case .heartbeat:
                            try await writer.write(ByteBuffer(string: "event: heartbeat\ndata: {}\n\n"))
                        }
                    }
                    try await writer.finish(nil)
                })
        }
    }

    /// The query string's parameters, the last of each name.
    private static func parameters(_ request: Request) -> [String: String] {
        var parameters: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { parameters[String(name)] = String(value) }
        return parameters
    }

    private static func render(_ view: Any, _ template: String) -> String {
        DashboardTemplates.library.render(view, withTemplate: template) ?? ""
    }

    private static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private static func asset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "max-age=300"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    private static func json(_ value: some Encodable) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The main page's template context.
struct FleetView {
    var page: FleetPage
    /// The query string of the current filters, for the live part to fetch the same view.
    var query: String
}

/// A detail page's template context.
struct SandboxView {
    var page: SandboxPage
    /// The logical name as it appears in the path.
    var path: String
}
