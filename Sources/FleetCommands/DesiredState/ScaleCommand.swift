import ArgumentParser
import FleetModel
import FleetStore

/// `porter-fleet scale set NAME --replicas N`.
struct ScaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Set the number of replicas of a sandbox set."
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("The kind, set, then the set's name; or sandboxset/NAME as '-o name' prints it.", valueName: "kind"))
    var kind: String

    @Argument(help: "The set's name.")
    var name: String = ""

    // Unconditional: `--replicas -1` is a number to refuse by its range, not a missing value.
    @Option(parsing: .unconditional, help: "How many sandboxes the set should run.")
    var replicas: Int

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    mutating func validate() throws {
        if kind.contains("/") {
            guard name.isEmpty else { throw ValidationError("give either set NAME or sandboxset/NAME, not both") }
            let words = try KindNameWords.expand([kind])
            (kind, name) = (words[0], words[1])
        }
        guard !name.isEmpty else { throw ValidationError("give the set's name: porter-fleet scale set NAME --replicas N") }
        guard ResourceKind(word: kind) == .sandboxSet else { throw ValidationError("only sets scale: porter-fleet scale set NAME --replicas N") }
        guard (0...ManifestRules.maximumReplicas).contains(replicas) else {
            throw ValidationError("--replicas must be between 0 and \(ManifestRules.maximumReplicas)")
        }
    }

    func run() async throws {
        let report: ApplyReport
        let fleetStore = try await store.open(create: false)
        report = try await fleetStore.scale(set: name, replicas: replicas)
        ReportPrinter.print(report, format: output)
        await PruneGuardNotice.print(for: fleetStore)
    }
}
