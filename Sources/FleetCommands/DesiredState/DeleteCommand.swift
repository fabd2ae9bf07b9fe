import ArgumentParser
import FleetModel
import FleetStore

/// `porter-fleet delete`: removes resources from the desired state.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Remove resources from the desired state.",
        discussion: """
            porter-fleet delete sandbox|set|volume NAME...   remove named resources
            porter-fleet delete -f PATH...                   remove the resources those manifests declare
            porter-fleet delete --all                        remove everything, and allow the reconciler to \
            terminate everything the fleet runs (it otherwise refuses to act on an empty desired state)
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("The kind (sandbox, set, volume) and names.", valueName: "kind name"), completion: Completions.kindsThenNames)
    var words: [String] = []

    @Option(
        name: [.short, .customLong("filename")], help: ArgumentHelp("Delete what these manifests declare (repeatable).", valueName: "path"),
        completion: Completions.manifestFiles)
    var files: [String] = []

    @Flag(help: "Delete everything in the desired state.")
    var all = false

    @Flag(help: "Show what would be deleted, and change nothing.")
    var dryRun = false

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    mutating func validate() throws {
        words = try KindNameWords.expand(words)
        let modes = [!words.isEmpty, !files.isEmpty, all].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("give exactly one of: KIND NAME..., -f PATH..., --all") }
        if !words.isEmpty {
            guard ResourceKind(word: words[0]) != nil else {
                throw ValidationError("unknown kind '\(words[0])': use sandbox, set or volume")
            }
            guard words.count >= 2 else { throw ValidationError("give at least one name after '\(words[0])'") }
        }
    }

    func run() async throws {
        let fleetStore = try await store.open()
        let report: ApplyReport
        report = dryRun ? try await preview(fleetStore) : try await delete(from: fleetStore)
        ReportPrinter.print(report, format: output)
        if !dryRun { await PruneGuardNotice.print(for: fleetStore) }
    }

    /// The resources named on the command line (all of them with --all: nil).
    private func keys() throws -> [(ResourceKind, String)]? {
        if all { return nil }
        if !files.isEmpty { return try ManifestFiles.read(files).manifests.map { ($0.manifest.kind, $0.manifest.name) } }
        let kind = ResourceKind(word: words[0])!
        return words.dropFirst().map { (kind, $0) }
    }

    private func delete(from store: any FleetStore) async throws -> ApplyReport {
        guard let keys = try keys() else { return try await store.deleteAll() }
        return try await store.delete(keys: keys)
    }

    /// What the delete would report, by the same rules, with nothing written.
    private func preview(_ store: any FleetStore) async throws -> ApplyReport {
        let existing = try await store.resources()
        let revision = try await store.revision()
        let change = try keys().map { try DesiredStateRules.delete(keys: $0, existing: existing, revision: revision) }
            ?? DesiredStateRules.deleteAll(existing: existing, revision: revision)
        var report = change.report
        report.dryRun = true
        report.revision = revision
        return report
    }
}

extension ResourceKind {
    /// The kind a command-line word names: `sandbox(es)`, `set(s)`/`sandboxset(s)`, `volume(s)`.
    init?(word: String) {
        switch word.lowercased() {
        case "sandbox", "sandboxes", "sb": self = .sandbox
        case "set", "sets", "sandboxset", "sandboxsets": self = .sandboxSet
        case "volume", "volumes", "vol": self = .volume
        default: return nil
        }
    }
}
