import ArgumentParser
import FleetReconciler
import FleetStore
import Foundation
import PorterSandbox

/// `porter-fleet status`: the fleet's summary as the reconciler last recorded it.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Summarise the fleet: logical sandboxes by health and sync, what each is doing, and pending actions.",
        discussion: """
            Health and sync are what the controller last recorded. When a Sandbox API is configured (--api-url or \
            the environment), the actions a pass would take now are listed too (read-only); when it cannot be \
            reached, the recorded status is still shown and the pending actions are reported as unknown.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var backend: BackendOptions

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json, yaml or name (one logical sandbox a line).")
    var output: ReadOutputFormat = .text

    @Flag(name: [.short, .customLong("watch")], help: "Show it again whenever the desired state or the recorded status changes, until interrupted.")
    var watch = false

    func run() async throws {
        let fleetStore = try await store.open(create: false)
        try await Watch.show(fleetStore, watch: watch) { try await show(fleetStore) }
    }

    private func show(_ fleetStore: any FleetStore) async throws {
        let statuses = try await fleetStore.statuses()
        let settings = try await fleetStore.settings()
        let desiredCount = try await fleetStore.resources().count
        var byHealth: [String: Int] = [:]
        for status in statuses { byHealth[status.health.rawValue, default: 0] += 1 }
        let synced = statuses.filter { $0.sync == .synced }.count
        let lastChange = statuses.map(\.lastTransitionAt).max()
        var plan: Plan?
        var apiProblem: String?
        if case .invalid(let problem) = backend.configuration {
            apiProblem = problem
        } else if backend.isConfigured {
            do {
                plan = try await backend.withController(store: fleetStore, logger: store.logging.logger()) { try await $0.plan() }
            } catch let error as PorterError {
                apiProblem = error.message
            }
        }
        let pending = plan?.actions.map(\.summary)
        let out = CommandOutput.current
        switch output {
        case .name:
            let objects = try EventObjects(resources: try await fleetStore.resources())
            for status in statuses { out.line(objects.sandboxName(status.logicalName)) }
        case .json, .yaml:
            out.line((output.structured ?? .json).render(StatusOutput(
                fleet: settings.fleetID, desiredResources: desiredCount, sandboxes: statuses.count, synced: synced, health: byHealth,
                lastTransitionAt: lastChange, pendingActions: pending, inSync: plan?.isInSync, waitingOn: plan?.waitingOn, apiError: apiProblem,
                items: statuses.map(StatusItem.init))))
        case .text:
            out.line("fleet \(settings.fleetID): \(desiredCount) desired resources, \(statuses.count) logical sandboxes, \(synced) synced")
            if !byHealth.isEmpty {
                out.line("health: " + byHealth.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
            }
            if let lastChange { out.line("last change: \(ISO8601DateFormatter().string(from: lastChange))") }
            if let plan, let pending {
                // One answer to "is it in sync", the one `plan` exits 0 on: no action, nothing waiting, nothing held.
                if plan.isInSync {
                    out.line("pending actions: none (in sync)")
                } else {
                    out.line(pending.isEmpty ? "pending actions: none, but not in sync:" : "pending actions: \(pending.count)")
                    for action in pending { out.line("  \(action)") }
                    if !pending.isEmpty, !plan.waitingOn.isEmpty { out.line("not in sync:") }
                    for reason in plan.waitingOn { out.line("  \(reason)") }
                }
            } else if let apiProblem {
                out.line("pending actions: unknown (\(apiProblem))")
            }
            if statuses.isEmpty {
                out.line("no status yet: run 'porter-fleet reconcile --once' or 'porter-fleet run'")
                return
            }
            var rows = [["NAME", "OWNER", "SYNC", "HEALTH", "PHASE", "GENERATION", "ACTUAL", "MESSAGE"]]
            for status in statuses {
                rows.append([
                    status.logicalName, status.owner, status.sync.rawValue, status.health.rawValue, status.phase ?? "-", status.generation.map(String.init) ?? "-",
                    status.actualName ?? "-", status.message,
                ])
            }
            // Colour goes on after alignment, so escape codes never count as width.
            let colour = Colour.enabled(for: out)
            let lines = TextTable.render(rows).split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { index, line -> String in
                guard colour, index > 0, index <= statuses.count, let tint = Colour.forHealth(statuses[index - 1].health) else { return String(line) }
                let word = statuses[index - 1].health.rawValue
                return String(line).replacingOccurrences(of: " \(word) ", with: " \(tint.paint(word, enabled: true)) ")
            }
            out.raw(lines.joined(separator: "\n"))  // cells escaped by TextTable
        }
    }
}

/// `status -o json`.
struct StatusOutput: Encodable {
    var fleet: String
    var desiredResources: Int
    var sandboxes: Int
    var synced: Int
    var health: [String: Int]
    var lastTransitionAt: Date?
    /// Actions a pass would take now; null when no Sandbox API is configured or it cannot be reached.
    var pendingActions: [String]?
    /// Whether the fleet is in sync as `plan` judges it (no action, nothing waiting, nothing held); null
    /// without a plan.
    var inSync: Bool?
    /// What keeps it from being in sync, one line each (as `plan` lists it); null without a plan.
    var waitingOn: [String]?
    /// Why the pending actions are unknown: the Sandbox API's error (null when it answered or is not configured).
    var apiError: String?
    var items: [StatusItem]
}

/// One logical sandbox in JSON outputs (`status`, `plan`, `reconcile`).
struct StatusItem: Encodable {
    var name: String
    var owner: String
    var sync: String
    var health: String
    var phase: String?
    var generation: Int?
    var actualId: String?
    var actualName: String?
    var failureCount: Int
    var backoffUntil: Date?
    var message: String
    var lastTransitionAt: Date

    init(_ status: LogicalSandboxStatus) {
        name = status.logicalName
        owner = status.owner
        sync = status.sync.rawValue
        health = status.health.rawValue
        phase = status.phase
        generation = status.generation
        actualId = status.actualID
        actualName = status.actualName
        failureCount = status.failureCount
        backoffUntil = status.backoffUntil
        message = status.message
        lastTransitionAt = status.lastTransitionAt
    }
}
