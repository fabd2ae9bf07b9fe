import FleetModel
import FleetReconciler
import FleetStore
import Foundation

/// The page's header: which fleet, which store, this process's role, the last pass, and the logical
/// sandboxes counted by health (drawn as a bar) and by sync.
struct FleetHeader: Encodable, Sendable {
    var fleetID: String
    var engine: String
    var location: String
    var role: String
    var lastPass: String
    var lastPassAt: Date?
    var lastPassSeconds: Double?
    var total: Int
    var health: [CountItem]
    var sync: [CountItem]
    /// The health counts as segments of a bar 100 wide.
    var bar: [BarSegment]

    static func load(_ source: DashboardSource, statuses: [LogicalSandboxStatus], now: Date) async throws -> FleetHeader {
        let settings = try await source.store.settings()
        let pass = source.lastPass()
        let byHealth = Dictionary(grouping: statuses, by: \.health)
        let bySync = Dictionary(grouping: statuses, by: \.sync)
        let health = HealthStatus.allCases.compactMap { health in
            byHealth[health].map { CountItem(label: health.rawValue, count: $0.count, cssClass: health.rawValue.lowercased()) }
        }
        var offset = 0.0
        var bar: [BarSegment] = []
        for item in health where !statuses.isEmpty {
            let width = Double(item.count) * 100 / Double(statuses.count)
            bar.append(BarSegment(x: offset, width: width, cssClass: item.cssClass, title: "\(item.count) \(item.label)"))
            offset += width
        }
        return FleetHeader(
            fleetID: settings.fleetID, engine: source.store.engine, location: source.store.location, role: source.role(),
            lastPass: pass.map { "\(Age.words(now.timeIntervalSince($0.endedAt))) ago, \(String(format: "%.2f", $0.duration)) s\($0.succeeded ? "" : ", with failures")" }
                ?? "none by this process",
            lastPassAt: pass?.endedAt, lastPassSeconds: pass?.duration, total: statuses.count, health: health,
            sync: SyncStatus.allCases.compactMap { sync in bySync[sync].map { CountItem(label: sync.rawValue, count: $0.count, cssClass: sync.rawValue.lowercased()) } },
            bar: bar)
    }
}

/// A count in the header.
struct CountItem: Encodable, Sendable {
    var label: String
    var count: Int
    var cssClass: String
}

/// One segment of the health bar, in percent of its width.
struct BarSegment: Encodable, Sendable {
    var x: Double
    var width: Double
    var cssClass: String
    var title: String
}

/// The pending actions of the next pass.
struct PlanSection: Encodable, Sendable {
    /// Whether a plan could be made (an API is configured).
    var available: Bool
    var inSync: Bool
    var actions: [PlanAction]
    var waiting: [String]
    /// Why no plan is shown.
    var note: String

    static func load(_ source: DashboardSource) async -> PlanSection {
        do {
            guard let plan = try await source.plan() else {
                return PlanSection(available: false, inSync: false, actions: [], waiting: [], note: "no Sandbox API configured: the plan needs one")
            }
            return PlanSection(
                available: true, inSync: plan.isInSync,
                actions: plan.actions.map { PlanAction(summary: $0.headline, changes: $0.fieldChanges.map(\.description)) }, waiting: plan.waitingOn,
                note: "")
        } catch {
            return PlanSection(available: false, inSync: false, actions: [], waiting: [], note: "the plan could not be made: \(error)")
        }
    }
}

/// One pending action and, for a replacement, the fields it changes.
struct PlanAction: Encodable, Sendable {
    var summary: String
    var changes: [String]
}
