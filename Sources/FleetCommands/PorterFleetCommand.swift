import ArgumentParser

/// The `porter-fleet` command: a reconciling controller for fleets of Porter sandboxes.
public struct PorterFleetCommand: AsyncParsableCommand {
    /// The command's name, abstract, version and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "porter-fleet",
        abstract: "Keep a fleet of Porter sandboxes and volumes converged to a declared desired state.",
        discussion: """
            porter-fleet reads a desired state of sandboxes, sandbox sets and volumes, compares it with \
            what the Porter Sandbox API reports, and creates, replaces, terminates or deletes to converge.
            """,
        version: PorterFleetVersion.current,
        subcommands: [LocalCommand.self, VersionCommand.self]
    )

    /// Creates the command (ArgumentParser fills it in).
    public init() {}
}
