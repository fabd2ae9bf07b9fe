import ArgumentParser
import FleetReconciler
import Foundation

/// `porter-fleet gc`: only the cleaning part of a pass.
struct GCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Garbage-collect: terminate orphaned sandboxes of this fleet and delete or forget volumes no longer desired.",
        discussion: """
            Runs only the cleaning actions a reconcile pass would take (never creates or replaces), with the same \
            safety rules: nothing without this fleet's ownership tags is touched, volumes are deleted only when \
            porter-fleet created them and their manifest said deletion_policy: delete, and most of a fleet is never \
            pruned without --allow-prune or 'delete --all'. Holds the fleet lease while it acts (fails at once \
            while a controller holds it, unless --wait-for-lease).
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var backend: BackendOptions
    @OptionGroup var flags: ControllerFlags
    @OptionGroup var lease: LeaseOptions

    @Flag(help: "Show what would be collected, and change nothing.")
    var dryRun = false

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    func run() async throws {
        let fleetStore = try await store.open(create: false)
        let out = CommandOutput.current
        if dryRun {
            let plan = try await backend.withController(store: fleetStore, flags: flags, logger: store.logging.logger()) { try await $0.plan() }
            let actions = plan.actions.filter(\.isCleanup).map(\.summary)
            if output != .text { out.line(output.render(["actions": actions])) } else {
                if actions.isEmpty { out.line("nothing to collect") }
                for action in actions { out.line(action + " (dry run)") }
            }
            return
        }
        let result = try await backend.withController(store: fleetStore, flags: flags, logger: store.logging.logger()) { controller in
            try await CommandLease.hold(fleetStore, for: controller, command: "gc", wait: lease.waitForLease) {
                try await controller.collectGarbage()
            }
        }
        if output != .text {
            out.line(output.render(["succeeded": result.succeeded.map(\.description), "failed": result.failed.map(\.description)]))
        } else {
            if result.succeeded.isEmpty && result.failed.isEmpty { out.line("nothing to collect") }
            for done in result.succeeded { out.line(done.summary) }
            for line in result.failed { out.error("failed: \(line)") }
        }
        if !result.failed.isEmpty { throw ExitCode(1) }
    }
}
