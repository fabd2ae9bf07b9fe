import ArgumentParser
import FleetStore
import Foundation

/// `porter-fleet store copy`: a whole store to another place or engine, in one transaction.
struct StoreCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a whole store (desired state, settings, reconciler state, intents, events) to another store.",
        discussion: """
            The copy is written in one transaction on the destination: all of it arrives or none. A \
            destination that already holds a fleet is refused unless --force, which replaces everything in it. \
            The lease is not copied. Stop the controllers of the source first: what they record after the \
            copy began stays behind. Example: porter-fleet store copy --from .porter-fleet/fleet.db \
            --to postgres://fleet@db.internal/porter_fleet
            """
    )

    @Option(help: ArgumentHelp("The store to copy: a file path or a postgres:// URL.", valueName: "path-or-url"))
    var from: String

    @Option(help: ArgumentHelp("The store to write: a file path (created when missing) or a postgres:// URL.", valueName: "path-or-url"))
    var to: String

    @Flag(help: "Replace everything in a destination that already holds a fleet.")
    var force = false

    @OptionGroup var logging: LoggingOptions

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    func run() async throws {
        let sourceAddress = try StoreAddress(from)
        let destinationAddress = try StoreAddress(to)
        guard sourceAddress.description != destinationAddress.description else {
            throw CommandFailure("--from and --to name the same store (\(sourceAddress)); nothing was copied")
        }
        let source = try await StoreOptions.at(from, logging: logging).open(create: false)
        let destination = try await StoreOptions.at(to, logging: logging).open(create: true)
        let snapshot: StoreSnapshot
        snapshot = try await source.snapshot()
        try await destination.restore(snapshot, replacing: force)
        let info = try await StoreInfoCommand.info(destination)
        let out = CommandOutput.current
        switch output {
        case .json, .yaml: out.line(output.render(info))
        case .text:
            out.line(
                "copied \(snapshot.resources.count) desired resources, \(snapshot.sandboxes.count) sandbox records, \(snapshot.statuses.count) statuses, "
                    + "\(snapshot.intents.count) intents, \(snapshot.volumes.count) volumes and \(snapshot.events.count) events")
            out.line("from \(source.engine) \(source.location)")
            out.line("to \(destination.engine) \(destination.location) (fleet \(info.fleet))")
        }
    }
}
