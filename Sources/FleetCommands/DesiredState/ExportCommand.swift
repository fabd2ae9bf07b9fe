import ArgumentParser
import FleetStore

/// `porter-fleet export`: the whole desired state as manifests.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print the whole desired state as manifests that 'apply' reproduces exactly.",
        discussion: """
            Environment values are printed as they are, so that the output applies back to the same desired state \
            (everywhere else, diffs, plans and events show only that a value was set, changed or removed).
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(name: [.short, .customLong("output")], help: "Output format: yaml or json.")
    var output: ManifestFormat = .yaml

    func run() async throws {
        let resources = try await store.open(create: false).resources()
        let out = CommandOutput.current
        switch output {
        case .yaml: out.raw(try ManifestExport.yaml(resources))
        case .json: out.line(try ManifestExport.json(resources))
        }
    }
}

/// Formats for manifests.
enum ManifestFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case yaml
    case json
}
