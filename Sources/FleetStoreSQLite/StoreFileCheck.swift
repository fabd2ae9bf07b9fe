import FleetStore
import Foundation
import GRDB

/// What is learned about an existing file before the store touches it: whose it is and whether
/// SQLite finds it sound. The file is opened read-only for this, so a file that is not a
/// porter-fleet store is left exactly as it was.
struct StoreFileCheck {
    /// The `PRAGMA application_id` of every porter-fleet store: "PFLT".
    static let applicationID: Int32 = 0x5046_4C54
    /// The name of the first migration, present in every porter-fleet store made before the marker.
    static let firstMigration = "v1: desired state"

    /// Whose file it is.
    enum Ownership: Equatable {
        /// Marked as a porter-fleet store.
        case ours
        /// A porter-fleet store from before the marker was written (it holds our migrations).
        case oursUnmarked
        /// An empty database: it becomes a store.
        case empty
    }

    /// Whose the file is.
    let ownership: Ownership
    /// What `PRAGMA quick_check` reported, when it is not "ok".
    let damage: String?

    /// Checks the file at `path`, which exists.
    ///
    /// - Throws: ``FleetStoreError/foreignDatabase(path:detail:)`` for another application's database,
    ///   ``FleetStoreError/notADatabase(path:detail:)`` for a file SQLite cannot read at all.
    static func check(path: String) throws(FleetStoreError) -> StoreFileCheck {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                let ownership = try ownership(of: db, path: path)
                let result = try String.fetchAll(db, sql: "PRAGMA quick_check(5)")
                return StoreFileCheck(ownership: ownership, damage: result == ["ok"] ? nil : result.joined(separator: "; "))
            }
        } catch let error as FleetStoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT {
            return StoreFileCheck(ownership: .ours, damage: error.message ?? "database disk image is malformed")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw .notADatabase(path: path, detail: error.message ?? "\(error.resultCode)")
        } catch {
            throw .cannotOpen(path: path, detail: "\(error)")
        }
    }

    private static func ownership(of db: Database, path: String) throws -> Ownership {
        let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        if applicationID == Self.applicationID { return .ours }
        guard applicationID == 0 else {
            throw FleetStoreError.foreignDatabase(path: path, detail: String(format: "its application id is 0x%08X", applicationID))
        }
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        if tables.isEmpty { return .empty }
        if tables.contains("grdb_migrations"),
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM grdb_migrations WHERE identifier = ?)", arguments: [firstMigration]) == true
        {
            return .oursUnmarked
        }
        let shown = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
        throw FleetStoreError.foreignDatabase(path: path, detail: "it holds other tables: \(shown)")
    }
}
