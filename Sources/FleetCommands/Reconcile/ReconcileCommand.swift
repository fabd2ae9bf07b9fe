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

    @Flag(help: "Run one pass (required; 'porter-fleet run' is the daemon).")
    var once = false

    @Flag(help: "Repeat passes until the fleet converges or --timeout passes.")
    var wait = false

    @Option(help: "How long --wait waits, e.g. 90s or 5m.")
    var timeout = "5m"

    @Option(name: [.short, .customLong("output")], help: "Output format: text or json.")
    var output: OutputFormat = .text

    func validate() throws {
        guard once else { throw ValidationError("give --once (the long-running controller is 'porter-fleet run')") }
        guard DurationText.parse(timeout) != nil else { throw ValidationError("--timeout '\(timeout)' is not a duration such as 90s or 5m") }
    }

    func run() async throws {
        let fleetStore = try store.open(create: false)
        try await backend.withController(store: fleetStore, flags: flags) { try await reconcile(with: $0) }
    }

    private func reconcile(with controller: FleetController) async throws {
        let out = CommandOutput.current
        let deadline = ContinuousClock.now + (DurationText.parse(timeout) ?? .seconds(300))
        var passes: [PassSummary] = []
        var result = try await controller.reconcileOnce()
        passes.append(PassSummary(result))
        report(result, pass: 1, out: out)
        while wait, !result.converged, ContinuousClock.now < deadline {
            let pause = min(result.requeueAfter ?? .milliseconds(500), .seconds(2))
            try await Task.sleep(for: max(.milliseconds(100), pause))
            result = try await controller.reconcileOnce()
            passes.append(PassSummary(result))
            report(result, pass: passes.count, out: out)
        }
        if output == .json {
            out.line(JSONOutput.string(ReconcileOutput(converged: result.converged, passes: passes, statuses: result.plan.statuses.map(StatusItem.init))))
        } else if wait {
            out.line(result.converged ? "converged after \(passes.count) passes" : "not converged after \(passes.count) passes")
        }
        if wait && !result.converged { throw ExitCode(1) }
        if !result.failed.isEmpty { throw ExitCode(1) }
    }

    private func report(_ result: ReconcileResult, pass: Int, out: CommandOutput) {
        guard output == .text else { return }
        for line in result.succeeded { out.line(line) }
        for line in result.failed { out.error(Colour.red.paint("failed: \(line)")) }
        let synced = result.plan.statuses.filter { $0.sync == "Synced" }.count
        let healthy = result.plan.statuses.filter { $0.health == "Healthy" || $0.health == "Completed" }.count
        out.line("pass \(pass): \(result.plan.actions.count) actions, \(synced)/\(result.plan.statuses.count) synced, \(healthy) healthy\(result.converged ? Colour.green.paint(", converged") : "")")
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
        succeeded = result.succeeded
        failed = result.failed
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

/// Durations on the command line: `500ms`, `90s`, `5m`, `1h30m`.
enum DurationText {
    static func parse(_ text: String) -> Duration? {
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let scale: Double
            if rest.hasPrefix("ms") { scale = 0.001; rest = rest.dropFirst(2) }
            else if rest.hasPrefix("s") { scale = 1; rest = rest.dropFirst() }
            else if rest.hasPrefix("m") { scale = 60; rest = rest.dropFirst() }
            else if rest.hasPrefix("h") { scale = 3600; rest = rest.dropFirst() }
            else { return nil }
            total += value * scale
        }
        return .milliseconds(Int64(total * 1000))
    }
}
