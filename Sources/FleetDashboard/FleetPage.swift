import FleetModel
import FleetReconciler
import FleetStore
import Foundation

/// The fleet as the dashboard's main page and `/api/v1/status` show it: a header, the table of logical
/// sandboxes (filtered, sorted, one page), the pending actions and the latest events.
struct FleetPage: Encodable, Sendable {
    var header: FleetHeader
    var rows: [FleetRow]
    /// Rows matching the filters, on every page.
    var matched: Int
    var page: Int
    var pages: Int
    var previousPage: String?
    var nextPage: String?
    var filterText: String
    var filterSelector: String
    var healthOptions: [HealthOption]
    var columns: [ColumnLink]
    /// Why the selector was not applied, when it is invalid.
    var selectorError: String?
    var plan: PlanSection
    var events: [EventItem]
    /// Where the page listens for changes after what it shows.
    var updates: String

    /// The page for `query`, read from `source`.
    static func load(_ source: DashboardSource, query: FleetQuery, now: Date = Date()) async throws -> FleetPage {
        let store = source.store
        let revisions = try await store.revisions()
        let statuses = try await store.statuses()
        // Ages come from the generations' records: for every row only when sorting by age, else for the
        // page's rows alone (a fleet of 10,000 is not read twice to show 100 of them).
        let createdAt = query.sort == .age ? try await store.reconcilerState().newestSandboxes.mapValues(\.createdAt) : [:]
        let resources = try await store.resources()
        let tagsByOwner = Dictionary(resources.map { ($0.key, $0.tagMap) }, uniquingKeysWith: { a, _ in a })
        let objects = try EventObjects(resources: resources)
        var selector: LabelSelector?
        var selectorError: String?
        if !query.selector.isEmpty {
            do { selector = try LabelSelector(parsing: query.selector) } catch { selectorError = error.description }
        }
        let all = statuses.map { FleetRow($0, createdAt: createdAt[$0.logicalName], now: now) }
        let matching = all.filter { row in
            query.matches(row) && (selector?.matches(tagsByOwner[row.owner] ?? [:]) ?? true)
        }
        let sorted = matching.sorted { query.ordered($0, $1) }
        let pages = max(1, (sorted.count + FleetQuery.pageSize - 1) / FleetQuery.pageSize)
        let page = min(query.page, pages)
        var rows = Array(sorted.dropFirst((page - 1) * FleetQuery.pageSize).prefix(FleetQuery.pageSize))
        for index in rows.indices where rows[index].ageSeconds == nil {
            let generation = rows[index].generation
            let record = try await store.generations(of: rows[index].name).last { $0.generation == generation }
            rows[index].setAge(createdAt: record?.createdAt, now: now)
        }
        let events = try await store.events(since: nil, limit: 50).reversed().map { EventItem($0, object: objects.object(of: $0), now: now) }
        return FleetPage(
            header: try await FleetHeader.load(source, statuses: statuses, now: now), rows: rows, matched: sorted.count, page: page, pages: pages,
            previousPage: page > 1 ? query.link(page: page - 1) : nil, nextPage: page < pages ? query.link(page: page + 1) : nil,
            filterText: query.text, filterSelector: query.selector,
            healthOptions: [HealthOption(value: "", label: "any health", selected: query.health == nil)]
                + HealthStatus.allCases.map { HealthOption(value: $0.rawValue, label: $0.rawValue, selected: query.health == $0) },
            columns: FleetQuery.SortKey.allCases.map { key in
                ColumnLink(
                    label: key.rawValue, link: query.link(sortingBy: key),
                    marker: query.sort == key ? (query.descending ? "▼" : "▲") : "")
            },
            selectorError: selectorError, plan: await PlanSection.load(source), events: Array(events), updates: updatesPath(revisions))
    }
}

extension FleetQuery {
    func matches(_ row: FleetRow) -> Bool {
        if let health, row.health != health.rawValue { return false }
        guard !text.isEmpty else { return true }
        return [row.name, row.owner, row.actualName, row.message].contains { $0.localizedCaseInsensitiveContains(text) }
    }

    func ordered(_ a: FleetRow, _ b: FleetRow) -> Bool {
        let ascending: Bool
        switch sort {
        case .name: ascending = a.name < b.name
        case .owner: ascending = (a.owner, a.name) < (b.owner, b.name)
        case .sync: ascending = (a.sync, a.name) < (b.sync, b.name)
        case .health: ascending = (a.health, a.name) < (b.health, b.name)
        case .phase: ascending = (a.phase, a.name) < (b.phase, b.name)
        case .generation: ascending = (a.generation ?? 0, a.name) < (b.generation ?? 0, b.name)
        case .age: ascending = (a.ageSeconds ?? .infinity, a.name) < (b.ageSeconds ?? .infinity, b.name)
        }
        return descending ? !ascending && (a.name != b.name) : ascending
    }
}

/// One logical sandbox in the table.
struct FleetRow: Encodable, Sendable {
    var name: String
    var owner: String
    var sync: String
    var health: String
    var phase: String
    var generation: Int?
    var actualName: String
    /// Seconds since its current generation was created.
    var ageSeconds: Double?
    var age: String
    var message: String
    /// The detail page.
    var link: String

    init(_ status: LogicalSandboxStatus, createdAt: Date?, now: Date) {
        name = status.logicalName
        owner = status.owner
        sync = status.sync.rawValue
        health = status.health.rawValue
        phase = status.phase ?? ""
        generation = status.generation
        actualName = status.actualName ?? ""
        message = status.message
        ageSeconds = createdAt.map { now.timeIntervalSince($0) }
        age = ageSeconds.map(Age.words) ?? ""
        link = "/sandbox/" + (status.logicalName.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? status.logicalName)
    }

    /// The age of a current generation created at `createdAt`.
    mutating func setAge(createdAt: Date?, now: Date) {
        ageSeconds = createdAt.map { now.timeIntervalSince($0) }
        age = ageSeconds.map(Age.words) ?? ""
    }
}

/// A choice of the health filter.
struct HealthOption: Encodable, Sendable {
    var value: String
    var label: String
    var selected: Bool
}

/// A sortable column heading.
struct ColumnLink: Encodable, Sendable {
    var label: String
    var link: String
    var marker: String
}

/// An event in a feed.
struct EventItem: Encodable, Sendable {
    var object: String
    var type: String
    var reason: String
    var message: String
    var count: Int
    var at: Date
    var ago: String
    /// `×3` for an event seen three times; empty once.
    var times: String
    var warning: Bool

    /// `event`, about `object` (`SandboxSet/agent[1]` for a set member, as `porter-fleet events` names it).
    init(_ event: FleetEvent, object: String? = nil, now: Date) {
        self.object = object ?? "\(event.kind.rawValue)/\(event.name)"
        type = event.type.rawValue
        reason = event.reason.rawValue
        message = event.message
        count = event.count
        at = event.lastAt
        ago = Age.words(now.timeIntervalSince(event.lastAt)) + " ago"
        times = event.count > 1 ? "×\(event.count)" : ""
        warning = event.type == .warning
    }
}

/// Durations in the words of `kubectl get`: `45s`, `12m`, `3h`, `2d`.
enum Age {
    static func words(_ seconds: TimeInterval) -> String {
        let seconds = max(0, Int(seconds))
        if seconds < 120 { return "\(seconds)s" }
        if seconds < 7200 { return "\(seconds / 60)m" }
        if seconds < 172_800 { return "\(seconds / 3600)h" }
        return "\(seconds / 86_400)d"
    }
}
