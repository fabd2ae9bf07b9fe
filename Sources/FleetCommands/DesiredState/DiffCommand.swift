import ArgumentParser
import FleetStore

/// `porter-fleet diff -f PATH...`: what applying the manifests would change in the desired state.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what applying manifests would change in the desired state, field by field (changes nothing).",
        discussion: "Exit code 0 when nothing would change, 2 when something would, 1 on an error. The same as 'apply --dry-run'."
    )

    @OptionGroup var store: StoreOptions

    @Option(
        name: [.short, .customLong("filename")], help: ArgumentHelp("A manifest file, a directory, or '-' (repeatable).", valueName: "path"),
        completion: Completions.manifestFiles)
    var files: [String] = []

    @Flag(help: "Include what --prune would remove.")
    var prune = false

    @Option(name: [.short, .customLong("output")], help: "Output format: text or json.")
    var output: OutputFormat = .text

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one manifest with -f PATH") }
    }

    func run() async throws {
        let (manifests, sources) = try ManifestFiles.read(files)
        let fleetStore = try await store.open()
        let preview: ApplyPreview
        do {
            preview = try await ApplyPreview.make(manifests, sources: sources, prune: prune, store: fleetStore)
        } catch let error as FleetStoreError {
            throw CommandFailure(error.lines)
        }
        preview.print(format: output)
        if preview.changesSomething { throw ExitCode(ExitStatus.changesPending) }
    }
}
