import ArgumentParser
import FleetModel
import FleetReconciler
import Foundation

/// `porter-fleet reconcile --once`: one pass, or passes until converged with `--wait`.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Run reconcile passes: once, or until the fleet converges with --wait.",
        discussion: """
            Converged means every desired sandbox is synced and healthy (or completed) with nothing left to do. \
            Exit code 0 when converged (or after one pass without --wait), 1 when not converged in time or on an error.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var backend: BackendOptions
    @OptionGroup var flags: ControllerFlags
    @OptionGroup var lease: LeaseOptions

    @Flag(help: "Run one pass (required; 'porter-fleet run' is the daemon).")
    var once = false

    @Flag(help: "Repeat passes until the fleet converges or --timeout passes.")
    var wait = false

    @Option(help: "How long --wait waits, e.g. 90s or 5m.")
    var timeout = "5m"

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    func validate() throws {
        guard once else { throw ValidationError("give --once (the long-running controller is 'porter-fleet run')") }
        _ = try DurationFlag.parse(timeout, flag: "--timeout", example: "90s or 5m")
    }

    func run() async throws {
        let fleetStore = try await store.open(create: false)
        try await backend.withController(store: fleetStore, flags: flags, logger: store.logging.logger()) { controller in
            try await CommandLease.hold(fleetStore, for: controller, command: "reconcile", wait: lease.waitForLease) {
                try await reconcile(with: controller)
            }
        }
    }

    private func reconcile(with controller: FleetController) async throws {
        let out = CommandOutput.current
        let deadline = ContinuousClock.now + (try DurationFlag.parse(timeout, flag: "--timeout", example: "90s or 5m"))
        var passes: [PassSummary] = []
        var backoff = PassBackoff()
        var last: ReconcileResult?
        while true {
            if let last {
                guard wait, !last.converged, ContinuousClock.now < deadline else { break }
                // The next pass within 100 ms: convergence is noticed that soon after the last sandbox runs
                // (a pass that finds nothing new costs the list pages, decoded only when they changed).
                try await Task.sleep(for: max(.milliseconds(100), min(last.requeueAfter ?? .milliseconds(100), .seconds(2))))
            }
            let answered = !passes.isEmpty
            guard let result = try await pass(controller, backoff: &backoff, apiAnsweredBefore: answered, deadline: deadline, out: out) else { break }
            last = result
            passes.append(PassSummary(result))
            report(result, pass: passes.count, out: out)
        }
        let converged = last?.converged ?? false
        if output != .text {
            let statuses = last?.plan.statuses.map(StatusItem.init) ?? []
            out.line(output.render(ReconcileOutput(converged: converged, passes: passes, statuses: statuses)))
        } else if wait {
            out.line(converged ? "converged after \(passes.count) passes" : "not converged after \(passes.count) passes")
        }
        if wait && !converged { throw ExitCode(1) }
        if last?.failed.isEmpty == false { throw ExitCode(1) }
    }

    /// One pass. With `--wait`, a transient API error (429, 5xx, timeouts; a dropped connection once
    /// the API has answered) is reported and retried with backoff until the deadline, which returns
    /// nil; any other error, or any error without `--wait`, ends the command.
    private func pass(
        _ controller: FleetController, backoff: inout PassBackoff, apiAnsweredBefore: Bool, deadline: ContinuousClock.Instant, out: CommandOutput
    ) async throws -> ReconcileResult? {
        while true {
            do {
                let result = try await controller.reconcileOnce()
                backoff.succeeded()
                return result
            } catch where wait && PassBackoff.isTransient(error, apiAnsweredBefore: apiAnsweredBefore) {
                let remaining = deadline - .now
                guard remaining > .zero else { return nil }
                let pause = min(backoff.failed(), remaining)
                out.rawError(Colour.yellow.paint(TerminalText.escaped("pass failed (\(backoff.failures) in a row; retrying in \(Self.seconds(pause))): \(error)")))
                try await Task.sleep(for: pause)
            }
        }
    }

    private static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return String(format: "%.1fs", Double(milliseconds) / 1000)
    }

    private func report(_ result: ReconcileResult, pass: Int, out: CommandOutput) {
        guard output == .text else { return }
        for done in result.succeeded { out.line(done.summary) }
        for line in result.failed { out.rawError(Colour.red.paint(TerminalText.escaped("failed: \(line)"))) }
        let synced = result.plan.statuses.filter { $0.sync == .synced }.count
        let healthy = result.plan.statuses.filter(\.health.isSettled).count
        out.raw("pass \(pass): \(result.plan.actions.count) actions, \(synced)/\(result.plan.statuses.count) synced, \(healthy) healthy\(result.converged ? Colour.green.paint(", converged") : "")\n")
    }
}

/// One pass in `reconcile -o json`.
struct PassSummary: Encodable {
    var actions: [String]
    var succeeded: [String]
    var failed: [String]
    var deferred: [String]
    var converged: Bool
    var apiCalls: Int

    init(_ result: ReconcileResult) {
        actions = result.plan.actions.map(\.summary)
        succeeded = result.succeeded.map(\.description)
        failed = result.failed.map(\.description)
        deferred = result.deferred
        converged = result.converged
        apiCalls = result.apiCalls
    }
}

/// `reconcile -o json`.
struct ReconcileOutput: Encodable {
    var converged: Bool
    var passes: [PassSummary]
    var statuses: [StatusItem]
}
