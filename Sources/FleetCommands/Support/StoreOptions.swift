import ArgumentParser
import FleetStore
import FleetStoreSQLite
import Foundation

/// The options every desired-state command shares: which store and which fleet.
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The desired-state store (default: $PORTER_FLEET_DB, else .porter-fleet/fleet.db).", valueName: "path"))
    var db: String?

    @Option(help: ArgumentHelp("The fleet id; a store holds one fleet (default: the store's; a new store gets a unique one).", valueName: "id"))
    var fleet: String?

    /// The default store, in the working directory.
    static let defaultPath = ".porter-fleet/fleet.db"

    /// The store's path: --db, then PORTER_FLEET_DB, then `.porter-fleet/fleet.db`.
    var path: String {
        if let db, !db.isEmpty { return db }
        if let fromEnvironment = ProcessInfo.processInfo.environment["PORTER_FLEET_DB"], !fromEnvironment.isEmpty { return fromEnvironment }
        return Self.defaultPath
    }

    /// Opens the store (creating it when `create`), checking it belongs to the requested fleet.
    func open(create: Bool = true) async throws -> any FleetStore {
        let store: any FleetStore
        do {
            if create && path == Self.defaultPath {
                // The default directory is porter-fleet's own; a directory given with --db is the user's to make.
                try? FileManager.default.createDirectory(atPath: ".porter-fleet", withIntermediateDirectories: true)
            }
            store = try SQLiteFleetStore(path: path, create: create)
        } catch {
            throw CommandFailure(error.lines)
        }
        if fleet != nil || create {
            try await store.claim(fleetID: fleet)
        }
        return store
    }
}
