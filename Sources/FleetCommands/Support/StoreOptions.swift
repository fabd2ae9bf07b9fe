import ArgumentParser
import FleetStore
import Foundation

/// The options every desired-state command shares: which store and which fleet.
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The desired-state store (default: $PORTER_FLEET_DB, else .porter-fleet/fleet.db).", valueName: "path"))
    var db: String?

    @Option(help: ArgumentHelp("The fleet id; a store holds one fleet (default: the store's, else 'default').", valueName: "id"))
    var fleet: String?

    /// The store's path: --db, then PORTER_FLEET_DB, then `.porter-fleet/fleet.db`.
    var path: String {
        if let db, !db.isEmpty { return db }
        if let fromEnvironment = ProcessInfo.processInfo.environment["PORTER_FLEET_DB"], !fromEnvironment.isEmpty { return fromEnvironment }
        return ".porter-fleet/fleet.db"
    }

    /// Opens the store (creating it when `create`), checking it belongs to the requested fleet.
    func open(create: Bool = true) throws -> FleetStore {
        let store: FleetStore
        do {
            store = try FleetStore(path: path, create: create)
        } catch {
            throw CommandFailure(error.description)
        }
        if let fleet {
            try store.claim(fleetID: fleet)
        } else if create {
            try store.claim(fleetID: try store.settings().fleetID)
        }
        return store
    }
}
