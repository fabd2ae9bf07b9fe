import FleetStore
import Foundation
import PostgresNIO

extension PostgresFleetStore {
    /// Takes the lease for `holder` when it is free, expired, or already `holder`'s (then it is renewed);
    /// nil while someone else holds it. A new holder's grant carries a larger fencing token.
    public func acquireLease(holder: String, duration: TimeInterval, now: Date) async throws -> LeaseGrant? {
        try await write(timeout: Self.heartbeatTimeout) { connection in
            let expiresAt = now.addingTimeInterval(duration)
            guard let current = try await Self.lease(connection, logger: logger) else {
                try await connection.query("INSERT INTO lease (id, holder, expires_at, token) VALUES (1, \(holder), \(expiresAt), 1)", logger: logger)
                return LeaseGrant(holder: holder, token: 1, expiresAt: expiresAt)
            }
            if current.holder == holder, current.expiresAt > now {
                try await connection.query("UPDATE lease SET expires_at = \(expiresAt) WHERE id = 1", logger: logger)
                return LeaseGrant(holder: holder, token: current.token, expiresAt: expiresAt)
            }
            guard current.expiresAt <= now else { return nil }
            let token = current.token + 1
            try await connection.query("UPDATE lease SET holder = \(holder), expires_at = \(expiresAt), token = \(token) WHERE id = 1", logger: logger)
            return LeaseGrant(holder: holder, token: token, expiresAt: expiresAt)
        }
    }

    /// Whether `token` is still the current, unexpired grant of `holder`.
    public func leaseIsCurrent(holder: String, token: Int64, now: Date) async throws -> Bool {
        guard let current = try await read(timeout: Self.heartbeatTimeout, { connection in try await Self.lease(connection, logger: logger) }) else { return false }
        return current.holder == holder && current.token == token && current.expiresAt > now
    }

    /// Gives the lease up, so a standby takes over at once.
    public func releaseLease(holder: String, token: Int64) async throws {
        try await write(timeout: Self.heartbeatTimeout) { connection in
            try await connection.query(
                "UPDATE lease SET expires_at = \(Date.distantPast) WHERE id = 1 AND holder = \(holder) AND token = \(token)", logger: logger)
        }
    }

    /// The current holder, if the lease is held and not expired.
    public func leaseHolder(now: Date) async throws -> LeaseGrant? {
        let current = try await read(timeout: Self.heartbeatTimeout) { connection in try await Self.lease(connection, logger: logger) }
        return current.flatMap { $0.expiresAt > now ? $0 : nil }
    }

    static func lease(_ connection: PostgresConnection, logger: Logger) async throws -> LeaseGrant? {
        let rows = try await connection.query("SELECT holder, token, expires_at FROM lease WHERE id = 1", logger: logger)
        var grant: LeaseGrant?
        for try await (holder, token, expiresAt) in rows.decode((String, Int64, Date).self) {
            grant = LeaseGrant(holder: holder, token: token, expiresAt: expiresAt)
        }
        return grant
    }
}
