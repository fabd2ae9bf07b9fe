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

    @OptionGroup var manifestFiles: ManifestOptions

    @Flag(help: "Include what --prune would remove.")
    var prune = false

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    func run() async throws {
        let (manifests, sources) = try ManifestFiles.read(manifestFiles.files)
        try await ApplyPreview.show(manifests, sources: sources, prune: prune, store: try await store.open(), format: output)
    }
}
