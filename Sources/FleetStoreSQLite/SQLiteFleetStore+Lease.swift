import FleetStore
import Foundation
import GRDB

extension SQLiteFleetStore {
    /// Takes the lease for `holder` when it is free, expired, or already `holder`'s; renews it in the
    /// last case. Returns the grant, or nil while someone else holds it.
    public func acquireLease(holder: String, duration: TimeInterval, now: Date) throws -> LeaseGrant? {
        try write { db in
            let row = try Row.fetchOne(db, sql: "SELECT holder, expires_at, token FROM lease WHERE id = 1")
            let expiresAt = now.addingTimeInterval(duration)
            guard let row else {
                try db.execute(sql: "INSERT INTO lease (id, holder, expires_at, token) VALUES (1, ?, ?, 1)", arguments: [holder, expiresAt])
                return LeaseGrant(holder: holder, token: 1, expiresAt: expiresAt)
            }
            let currentHolder: String = row["holder"]
            let currentExpiry: Date = row["expires_at"]
            let token: Int64 = row["token"]
            if currentHolder == holder, currentExpiry > now {
                try db.execute(sql: "UPDATE lease SET expires_at = ? WHERE id = 1", arguments: [expiresAt])
                return LeaseGrant(holder: holder, token: token, expiresAt: expiresAt)
            }
            guard currentExpiry <= now else { return nil }
            try db.execute(sql: "UPDATE lease SET holder = ?, expires_at = ?, token = ? WHERE id = 1", arguments: [holder, expiresAt, token + 1])
            return LeaseGrant(holder: holder, token: token + 1, expiresAt: expiresAt)
        }
    }

    /// Whether `token` is still the current, unexpired grant of `holder`.
    public func leaseIsCurrent(holder: String, token: Int64, now: Date) throws -> Bool {
        try readDatabase { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT holder, expires_at, token FROM lease WHERE id = 1") else { return false }
            return row["holder"] as String == holder && row["token"] as Int64 == token && (row["expires_at"] as Date) > now
        }
    }

    /// Gives the lease up (on shutdown), so a standby takes over at once.
    public func releaseLease(holder: String, token: Int64) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE lease SET expires_at = ? WHERE id = 1 AND holder = ? AND token = ?", arguments: [Date.distantPast, holder, token])
        }
    }

    /// The current holder, if the lease is held.
    public func leaseHolder(now: Date) throws -> LeaseGrant? {
        try readDatabase { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT holder, expires_at, token FROM lease WHERE id = 1"),
                (row["expires_at"] as Date) > now
            else { return nil }
            return LeaseGrant(holder: row["holder"], token: row["token"], expiresAt: row["expires_at"])
        }
    }
}
