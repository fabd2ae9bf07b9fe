import FleetModel
import FleetStore
import Foundation

/// What the table of logical sandboxes shows: filters, order and page, from the page's query string
/// (so that a filtered view is a link, and works without JavaScript).
struct FleetQuery: Sendable, Equatable {
    /// Columns the table sorts by.
    enum SortKey: String, Sendable, CaseIterable {
        case name, owner, sync, health, phase, generation, age
    }

    /// Rows a page shows.
    static let pageSize = 100

    /// Matches the logical name, owner, actual name or message, case-insensitively.
    var text = ""
    /// Only this health.
    var health: HealthStatus?
    /// A Kubernetes label selector over the owner's tags.
    var selector = ""
    var sort = SortKey.name
    var descending = false
    /// From 1.
    var page = 1

    /// The query of `parameters` (unknown values fall back to the defaults).
    init(_ parameters: [String: String]) {
        text = parameters["q"] ?? ""
        health = parameters["health"].flatMap(HealthStatus.init(rawValue:))
        selector = parameters["selector"] ?? ""
        sort = parameters["sort"].flatMap(SortKey.init(rawValue:)) ?? .name
        descending = parameters["order"] == "desc"
        page = max(1, parameters["page"].flatMap(Int.init) ?? 1)
    }

    init() {}

    /// The query string of this query on another page, or sorted by `key` (toggling the order when it is
    /// already the key).
    func link(page: Int? = nil, sortingBy key: SortKey? = nil) -> String {
        var items: [(String, String)] = []
        if !text.isEmpty { items.append(("q", text)) }
        if let health { items.append(("health", health.rawValue)) }
        if !selector.isEmpty { items.append(("selector", selector)) }
        let sort = key ?? self.sort
        let descending = key == nil ? self.descending : (key == self.sort ? !self.descending : false)
        if sort != .name { items.append(("sort", sort.rawValue)) }
        if descending { items.append(("order", "desc")) }
        if let page, page > 1 { items.append(("page", String(page))) }
        var components = URLComponents()
        components.queryItems = items.map { URLQueryItem(name: $0.0, value: $0.1) }
        return "?" + (components.percentEncodedQuery ?? "")
    }
}
