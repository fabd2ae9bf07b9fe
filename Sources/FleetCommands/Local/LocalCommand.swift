import ArgumentParser

/// `porter-fleet local`: the embedded local Sandbox API.
struct LocalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "local",
        abstract: "Run the local Sandbox API, a Porter-compatible server for laptops and tests.",
        subcommands: [LocalServeCommand.self]
    )
}
