import ArgumentParser
import FleetStore
import FleetStorePostgres
import FleetStoreSQLite
import Foundation

/// The options every desired-state command shares: which store, which fleet, and how to log.
struct StoreOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The desired-state store: a file path (SQLite) or postgres://user@host[:port]/database (default: $PORTER_FLEET_DB, else .porter-fleet/fleet.db).",
            valueName: "path-or-url"))
    var db: String?

    @Option(help: ArgumentHelp("The fleet id; a store holds one fleet (default: the store's; a new store gets a unique one).", valueName: "id"))
    var fleet: String?

    @OptionGroup var logging: LoggingOptions

    /// The options with `--db` set to `db` (for commands that open several stores), logging as `logging`.
    static func at(_ db: String, logging: LoggingOptions? = nil) throws -> StoreOptions {
        var options = try StoreOptions.parse(["--db", db])
        if let logging { options.logging = logging }
        return options
    }

    /// The default store, in the working directory.
    static let defaultPath = ".porter-fleet/fleet.db"

    /// The store as given: --db, then PORTER_FLEET_DB, then `.porter-fleet/fleet.db`. May hold a password:
    /// print ``address`` instead.
    var path: String {
        // `--db ""` is refused by ``StoreAddress``, never taken for the default store.
        if let db { return db }
        if let fromEnvironment = ProcessInfo.processInfo.environment["PORTER_FLEET_DB"], !fromEnvironment.isEmpty { return fromEnvironment }
        return Self.defaultPath
    }

    /// Which engine and where, parsed from ``path``.
    var address: StoreAddress {
        get throws(CommandFailure) { try StoreAddress(path) }
    }

    /// Opens the store (an SQLite file is created when `create`; a PostgreSQL database always gets its
    /// schema, since the database itself was made for it, and a fleet id with it), checking it belongs to
    /// the requested fleet.
    func open(create: Bool = true) async throws -> any FleetStore {
        let store: any FleetStore
        let address = try address
        do throws(FleetStoreError) {
            switch address {
            case .sqlite(let path):
                if create && path == Self.defaultPath {
                    // The default directory is porter-fleet's own (mode 0700: the store holds environment values);
                    // a directory given with --db is the user's to make.
                    SQLiteFleetStore.preparePrivateDirectory(".porter-fleet")
                }
                store = try SQLiteFleetStore(path: path, create: create)
            case .postgres(let url):
                store = try await PostgresFleetStore(url: url, logger: logging.logger("porter-fleet.store"))
            }
        } catch {
            throw CommandFailure(error.lines)
        }
        // A new store claims its fleet id at once. On PostgreSQL the open that created the schema is that
        // moment (the database was made for it); later read-only opens write nothing.
        let createdHere = (store as? PostgresFleetStore)?.versionFoundAtOpen == 0
        if fleet != nil || create || createdHere {
            do {
                try await store.claim(fleetID: fleet)
            } catch let error as FleetStoreError {
                throw CommandFailure(error.lines)
            }
        }
        return store
    }
}

/// Where a store is: an SQLite file, or a PostgreSQL database.
enum StoreAddress: CustomStringConvertible {
    /// An SQLite file.
    case sqlite(path: String)
    /// A PostgreSQL database.
    case postgres(PostgresStoreURL)

    /// Reads `--db`: `postgres://` and `postgresql://` URLs name a server; any other `scheme://` is refused;
    /// everything else is a file path.
    init(_ text: String) throws(CommandFailure) {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw CommandFailure("the store's path is empty: give a file path or a postgres:// URL")
        }
        if PostgresStoreURL.isPostgres(text) {
            do {
                self = .postgres(try PostgresStoreURL(parsing: text))
            } catch {
                throw CommandFailure("--db: \(error.description)")
            }
        } else if let scheme = PostgresStoreURL.scheme(of: text) {
            throw CommandFailure(
                "--db: unknown scheme '\(scheme)://'; give a file path (SQLite) or a postgres://user@host[:port]/database URL")
        } else {
            self = .sqlite(path: text)
        }
    }

    /// Whether the store is on a PostgreSQL server.
    var isPostgres: Bool {
        if case .postgres = self { return true }
        return false
    }

    /// The engine's name, as `store info` prints it.
    var engine: String { isPostgres ? "postgres" : "sqlite" }

    /// Where, for people: the path, or the URL with its password masked.
    var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): url.description
        }
    }
}
