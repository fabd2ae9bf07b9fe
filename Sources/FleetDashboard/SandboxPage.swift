import FleetModel
import FleetReconciler
import FleetStore
import Foundation

/// One logical sandbox: its status, a timeline of its generations over the last day, its recent events,
/// the environment it is declared with (keys only) and, when enabled, the tail of its current logs.
struct SandboxPage: Encodable, Sendable {
    /// The window of the timeline, in seconds.
    static let window: TimeInterval = 86_400

    var name: String
    var found: Bool
    var row: FleetRow?
    var generations: [GenerationItem]
    /// The timeline: one lane a generation, x in percent of the last 24 hours.
    var timeline: [TimelineBar]
    var timelineHeight: Int
    var events: [EventItem]
    /// The declared image.
    var image: String
    /// The declared tags, as `key=value`.
    var tags: [String]
    /// The declared environment's keys; values are never shown.
    var environmentKeys: [String]
    var logsEnabled: Bool
    var logs: [String]
    var logsNote: String
    /// Where the page listens for changes after what it shows.
    var updates: String

    static func load(_ source: DashboardSource, name: String, showLogs: Bool, now: Date = Date()) async throws -> SandboxPage {
        let store = source.store
        let revisions = try await store.revisions()
        let status = try await store.statuses().first { $0.logicalName == name }
        let records = try await store.generations(of: name)
        let events = try await store.events(since: now.addingTimeInterval(-Self.window), limit: 2000).filter { $0.name == name }
        let created = Self.creationReasons(events)
        let generations = records.reversed().map { GenerationItem($0, createdBecause: created[$0.generation], now: now) }
        let recent = records.filter { ($0.finishedAt ?? now) >= now.addingTimeInterval(-Self.window) }
        let timeline = recent.enumerated().map { lane, record in TimelineBar(record, lane: lane, now: now, window: Self.window) }
        let tail = await Self.logTail(source, status: status, enabled: showLogs)
        let desired = try await Self.desired(store, name: name)
        return SandboxPage(
            name: name, found: status != nil || !records.isEmpty,
            row: status.map { FleetRow($0, createdAt: records.last?.createdAt, now: now) }, generations: generations, timeline: timeline,
            timelineHeight: max(1, timeline.count) * TimelineBar.laneHeight + 20, events: events.reversed().prefix(100).map { EventItem($0, now: now) },
            image: desired?.template.image ?? "", tags: (desired?.tags ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
            environmentKeys: (desired?.template.env ?? [:]).keys.sorted(), logsEnabled: showLogs, logs: tail.logs, logsNote: tail.note,
            updates: updatesPath(revisions))
    }

    /// Why each generation was created, from its `Created` or `Replacing` event.
    private static func creationReasons(_ events: [FleetEvent]) -> [Int: String] {
        var reasons: [Int: String] = [:]
        for event in events where event.reason == .created || event.reason == .replacing {
            // "created generation 2 (api-g2): replace drifted generation 1: ~ spec.image: …"
            let words = event.message.split(separator: " ", maxSplits: 3)
            guard words.count == 4, words[0] == "created", words[1] == "generation", let generation = Int(words[2]),
                let colon = event.message.range(of: "): ")
            else { continue }
            reasons[generation] = String(event.message[colon.upperBound...])
        }
        return reasons
    }

    /// The logical sandbox as declared, if it still is.
    private static func desired(_ store: any FleetStore, name: String) async throws -> DesiredSandbox? {
        let fleet = try DesiredFleet(resources: try await store.resources(), settings: try await store.settings(), pruneAllRequested: false)
        return fleet.sandboxes.first { $0.logicalName == name }
    }

    /// The last 100 log lines of the current generation of `name`, or why there are none.
    static func logTail(_ source: DashboardSource, name: String, enabled: Bool) async throws -> LogTail {
        let status = try await source.store.statuses().first { $0.logicalName == name }
        return await logTail(source, status: status, enabled: enabled)
    }

    private static func logTail(_ source: DashboardSource, status: LogicalSandboxStatus?, enabled: Bool) async -> LogTail {
        guard enabled else { return LogTail(logs: [], note: "logs are shown when the dashboard is started with --dashboard-logs") }
        guard let logs = source.logs else { return LogTail(logs: [], note: "no Sandbox API configured") }
        guard let id = status?.actualID else { return LogTail(logs: [], note: "no live generation") }
        do {
            return LogTail(logs: try await logs(id, 100), note: "")
        } catch {
            return LogTail(logs: [], note: "the logs could not be read: \(error)")
        }
    }
}

/// The tail of a sandbox's logs (`/api/v1/logs/NAME`), with why it is empty when it is.
struct LogTail: Encodable, Sendable {
    var logs: [String]
    var note: String
}

/// One generation in the detail page's table.
struct GenerationItem: Encodable, Sendable {
    var generation: Int
    var actualName: String
    var phase: String
    var createdAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    var ended: String
    var createdBecause: String
    var live: Bool

    init(_ record: ActualSandboxRecord, createdBecause: String?, now: Date) {
        generation = record.generation
        actualName = record.name
        phase = record.phase
        createdAt = record.createdAt
        startedAt = record.startedAt
        finishedAt = record.finishedAt
        live = record.tracked
        self.createdBecause = createdBecause ?? ""
        var end: [String] = []
        if let finishedAt = record.finishedAt, !record.tracked { end.append("\(Age.words(now.timeIntervalSince(finishedAt))) ago") }
        if let reason = record.terminationReason { end.append(reason) }
        if let code = record.exitCode { end.append("exit code \(code)") }
        ended = end.joined(separator: ", ")
    }
}

/// A generation's lane in the timeline: starting (created → running) then running or ended, coloured
/// by phase; x and widths in percent of the window.
struct TimelineBar: Encodable, Sendable {
    static let laneHeight = 22

    var y: Int
    var textY: Int
    var startX: Double
    var startWidth: Double
    var runX: Double
    var runWidth: Double
    var cssClass: String
    var label: String

    init(_ record: ActualSandboxRecord, lane: Int, now: Date, window: TimeInterval) {
        func x(_ date: Date) -> Double { max(0, min(100, 100 - now.timeIntervalSince(date) / window * 100)) }
        let created = x(record.createdAt)
        let running = record.startedAt.map(x) ?? x(record.finishedAt ?? now)
        let end = record.tracked ? 100 : x(record.finishedAt ?? now)
        y = lane * Self.laneHeight + 4
        textY = y + 14
        startX = created
        startWidth = max(0.3, running - created)
        runX = running
        runWidth = record.startedAt == nil ? 0 : max(0.5, end - running)
        cssClass = "phase-" + record.phase
        label = "g\(record.generation) \(record.name): \(record.phase)"
    }
}
