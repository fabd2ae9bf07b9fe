import ArgumentParser
import FleetStore

/// `porter-fleet settings`: the fleet's id and name prefix.
struct SettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Show or change the fleet's settings (id, name prefix).",
        discussion: """
            The name prefix starts every actual sandbox and volume name (e.g. 'team-a-' makes 'team-a-api-g1'). \
            It can only change while the desired state is empty.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Set the prefix of every actual sandbox and volume name.", valueName: "prefix"))
    var namePrefix: String?

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    func run() async throws {
        let fleetStore = try await store.open()
        if let namePrefix {
            do {
                try await fleetStore.setNamePrefix(namePrefix)
            } catch let error as FleetStoreError {
                throw CommandFailure(error.lines)
            }
        }
        let settings = try await fleetStore.settings()
        let out = CommandOutput.current
        switch output {
        case .json, .yaml: out.line(output.render(settings))
        case .text:
            out.line("fleet: \(settings.fleetID)")
            out.line("name prefix: \(settings.namePrefix.isEmpty ? "(none)" : settings.namePrefix)")
            out.line("store: \(fleetStore.location)")
        }
    }
}
