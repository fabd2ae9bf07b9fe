import ArgumentParser
import FleetReconciler
import FleetStore
import Foundation

/// `porter-fleet plan`: what one reconcile pass would do, and why.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what one reconcile pass would do and why (changes nothing).",
        discussion: """
            Exit code 0 when the fleet is in sync (nothing to do, every desired sandbox synced and healthy or \
            completed, nothing held back), 2 when it is not, whatever the reason: changes pending, a rollout \
            waiting on the surge limit or a backoff, terminations held by the prune guard, a name taken. \
            1 on an error.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var backend: BackendOptions
    @OptionGroup var flags: ControllerFlags

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json, yaml or name (the object of each action).")
    var output: ReadOutputFormat = .text

    func run() async throws {
        let fleetStore = try await store.open(create: false)
        let plan = try await backend.withController(store: fleetStore, flags: flags, logger: store.logging.logger()) { try await $0.plan() }
        let out = CommandOutput.current
        switch output {
        case .name:
            let objects = try EventObjects(resources: try await fleetStore.resources())
            for action in plan.actions {
                out.line(action.isSandboxAction ? objects.sandboxName(action.logicalName) : "volume/\(action.logicalName)")
            }
        case .json, .yaml:
            let recorded = Dictionary(try await fleetStore.statuses().map { ($0.logicalName, $0) }, uniquingKeysWith: { first, _ in first })
            out.line((output.structured ?? .json).render(PlanOutput(plan, recorded: recorded)))
        case .text:
            if plan.isInSync { out.line("in sync: nothing to do") }
            for action in plan.actions {
                out.line(action.headline)
                for change in action.fieldChanges { out.line("    \(change)") }
            }
            for line in plan.waitingOn { out.line("waiting: \(line)") }
            for event in plan.events where event.type == .warning { out.line("warning: \(event.kind)/\(event.name): \(event.message)") }
        }
        if !plan.isInSync { throw ExitCode(ExitStatus.changesPending) }
    }
}

/// `plan -o json`.
struct PlanOutput: Encodable {
    var inSync: Bool
    /// One line per action (kept for scripts written against it); `actionDetails` has the same as fields.
    var actions: [String]
    var actionDetails: [PlannedActionItem]
    var waitingOn: [String]
    var statuses: [StatusItem]
    var warnings: [String]

    /// The plan's view; each status's `last_transition_at` is the recorded one (a plan changes nothing, so
    /// nothing has transitioned at the time of the plan).
    init(_ plan: Plan, recorded: [String: LogicalSandboxStatus]) {
        inSync = plan.isInSync
        actions = plan.actions.map(\.summary)
        actionDetails = plan.actions.map(PlannedActionItem.init)
        waitingOn = plan.waitingOn
        statuses = plan.statuses.map { planned in
            var status = planned
            if let last = recorded[planned.logicalName]?.lastTransitionAt { status.lastTransitionAt = last }
            return StatusItem(status)
        }
        warnings = plan.events.filter { $0.type == .warning }.map { "\($0.kind)/\($0.name): \($0.message)" }
    }
}
