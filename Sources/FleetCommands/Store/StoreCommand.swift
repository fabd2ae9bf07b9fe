import ArgumentParser

/// `porter-fleet store`: the store as a whole (which engine, what it holds, moving it).
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Inspect a desired-state store, or copy one to another engine.",
        discussion: """
            A store is an SQLite file (the default, .porter-fleet/fleet.db) or a PostgreSQL database \
            (postgres://user@host/database), named by --db or PORTER_FLEET_DB.
            """,
        subcommands: [StoreInfoCommand.self, StoreCopyCommand.self]
    )
}
