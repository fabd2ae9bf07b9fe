import FleetStorePostgres
import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL server the tests use: `PORTER_FLEET_TEST_POSTGRES_URL` (scripts/test and CI start a
/// throwaway one with scripts/postgres-server). Without it, every test that needs it fails, saying so:
/// a missing server never lets the PostgreSQL engine pass untested.
public enum TestPostgres {
    /// The variable that names the server.
    public static let variable = "PORTER_FLEET_TEST_POSTGRES_URL"

    /// Why there is no server to test against.
    public struct Missing: Error, CustomStringConvertible {
        public var description: String {
            "PostgreSQL tests need a server: set \(TestPostgres.variable) (scripts/test starts one with scripts/postgres-server when PostgreSQL is installed)"
        }
    }

    /// The server's URL, as given (its database is an administrative one).
    public static func serverURL() throws -> PostgresStoreURL {
        guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else { throw Missing() }
        return try PostgresStoreURL(parsing: text)
    }

    /// A new, empty database on the server, for one test: its URL.
    public static func freshDatabase() async throws -> PostgresStoreURL {
        var url = try serverURL()
        let name = "porter_fleet_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try await withAdminConnection(url) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        url.database = String(name)
        return url
    }

    /// Runs `body` with a connection to the server's administrative database.
    public static func withAdminConnection(
        _ url: PostgresStoreURL? = nil, _ body: (PostgresConnection) async throws -> Void
    ) async throws {
        let url = try url ?? serverURL()
        let configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            try await body(connection)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    static let logger = Logger(label: "porter-fleet.test-postgres")
}
