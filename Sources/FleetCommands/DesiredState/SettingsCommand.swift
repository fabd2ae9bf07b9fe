import ArgumentParser
import FleetModel
import FleetStore

/// `porter-fleet settings`: the fleet's id and name prefix.
struct SettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Show or change the fleet's settings (id, name prefix, volume naming).",
        discussion: """
            The name prefix starts every actual sandbox and volume name (e.g. 'team-a-' makes 'team-a-api-g1'). \
            Volume naming 'scoped' (new stores) adds a scope derived from the fleet id to every volume name \
            ('k2f7qa-data'), so that no other fleet can produce the name by accident; 'plain' (stores that \
            owned volumes before) names a volume by its logical name. Both can only change while the \
            desired state is empty (volume naming: and no volume is owned).
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Set the prefix of every actual sandbox and volume name.", valueName: "prefix"))
    var namePrefix: String?

    @Option(help: ArgumentHelp("Set how volumes are named: scoped or plain.", valueName: "naming"))
    var volumeNames: VolumeNaming?

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    func run() async throws {
        let fleetStore = try await store.open()
        if let namePrefix { try await fleetStore.setNamePrefix(namePrefix) }
        if let volumeNames { try await fleetStore.setVolumeNaming(volumeNames) }
        let settings = try await fleetStore.settings()
        let out = CommandOutput.current
        switch output {
        case .json, .yaml: out.line(output.render(settings))
        case .text:
            out.line("fleet: \(settings.fleetID)")
            out.line("name prefix: \(settings.namePrefix.isEmpty ? "(none)" : settings.namePrefix)")
            out.line("volume names: \(settings.volumeNaming.rawValue) (\(settings.volumeNamePrefix)<name>)")
            out.line("store: \(fleetStore.location)")
        }
    }
}

extension VolumeNaming: ExpressibleByArgument {}
