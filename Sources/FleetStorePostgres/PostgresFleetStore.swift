import FleetModel
import FleetStore
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The desired-state store on a PostgreSQL server, through postgres-nio: the shared engine of the
/// ``FleetStore`` contract, for teams and for standby controllers.
///
/// Semantics are SQLite's: every write is one transaction, and writers serialise on an advisory lock
/// (as SQLite's `IMMEDIATE` transactions do), so concurrent CLIs and controllers on several machines
/// never lose an update. Reads of several tables run in one `REPEATABLE READ` snapshot. Every change
/// to the desired state is announced with `NOTIFY` (see ``changes()``).
///
/// The connection pool reconnects with backoff when the server goes away; a call made while it is
/// down fails with ``FleetStoreError/connectionFailed(location:detail:)``.
public final class PostgresFleetStore: FleetStore {
    /// The server and database, password masked.
    public let location: String
    /// The URL the store was opened with.
    let url: PostgresStoreURL
    let client: PostgresClient
    let logger: Logger
    private let runTask: Task<Void, Never>
    private let transactionCount = Atomic<Int>(0)

    /// How many transactions this handle has run (reads and writes): what the benchmarks report to show
    /// that a pass with nothing to do reads only the revisions.
    public var transactions: Int { transactionCount.load(ordering: .relaxed) }

    /// The version found when the store was opened (0: this open created it).
    public let versionFoundAtOpen: Int

    /// The schema version this build writes.
    public static var schemaVersion: Int { PostgresSchema.version }

    /// Connects to `url`, creates or migrates the schema (under an advisory lock), and starts the pool.
    ///
    /// - Throws: ``FleetStoreError/connectionFailed(location:detail:)`` for an unreachable server, a
    ///   refused login or a missing database; ``FleetStoreError/foreignDatabase(path:detail:)`` for a
    ///   database of another application; ``FleetStoreError/newerSchema(path:)``. Nothing is written then.
    public init(url: PostgresStoreURL, logger: Logger = Logger(label: "porter-fleet.store")) async throws(FleetStoreError) {
        self.url = url
        self.location = url.description
        self.logger = logger
        let configuration = Self.configuration(url)
        do {
            versionFoundAtOpen = try await Self.prepare(configuration, location: url.description, logger: logger)
        } catch let error as FleetStoreError {
            throw error
        } catch {
            throw .connectionFailed(location: url.description, detail: Self.describe(error))
        }
        // The pool's own log is for debugging; what goes wrong reaches callers as errors.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: Self.clientConfiguration(url), backgroundLogger: background)
        self.client = client
        runTask = Task { await client.run() }
    }

    deinit { runTask.cancel() }

    /// Stops the pool and closes its connections.
    public func close() async {
        runTask.cancel()
        await runTask.value
    }

    /// Opens one connection to check the server and migrate, then closes it: errors name the cause at
    /// once instead of waiting for the pool's circuit breaker.
    private static func prepare(_ configuration: PostgresConnection.Configuration, location: String, logger: Logger) async throws -> Int {
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        do {
            let found = try await PostgresSchema.migrate(connection, location: location, logger: logger)
            try await connection.close()
            return found
        } catch {
            try? await connection.close()
            throw error
        }
    }

    static func configuration(_ url: PostgresStoreURL) -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: tls(url.sslMode))
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.additionalStartupParameters = [("search_path", PostgresSchema.name), ("application_name", "porter-fleet")]
        return configuration
    }

    static func clientConfiguration(_ url: PostgresStoreURL) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: clientTLS(url.sslMode))
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 4
        configuration.options.additionalStartupParameters = [("search_path", PostgresSchema.name), ("application_name", "porter-fleet")]
        return configuration
    }

    private static func tlsConfiguration(_ mode: PostgresStoreURL.SSLMode) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case .disable, .prefer, .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        return tls
    }

    private static func tls(_ mode: PostgresStoreURL.SSLMode) -> PostgresConnection.Configuration.TLS {
        guard mode != .disable, let context = try? NIOSSLContext(configuration: tlsConfiguration(mode)) else { return .disable }
        return mode == .prefer ? .prefer(context) : .require(context)
    }

    private static func clientTLS(_ mode: PostgresStoreURL.SSLMode) -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(tlsConfiguration(mode))
        case .require, .verifyCA, .verifyFull: .require(tlsConfiguration(mode))
        }
    }

    // MARK: Running queries

    /// Runs `body` in one transaction that holds the writer lock; rolls back on error or when `rollback`.
    @discardableResult
    func write<T: Sendable>(
        rollback: Bool = false, timeout: Duration = operationTimeout, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        transactionCount.add(1, ordering: .relaxed)
        return try await translatingErrors(timeout: timeout) {
            try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.writerLock))", logger: logger)
                    let result = try await body(connection)
                    try await connection.query(rollback ? "ROLLBACK" : "COMMIT", logger: logger)
                    return result
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    /// Runs `body`, one statement, outside a transaction (a single statement sees one snapshot anyway):
    /// one round trip instead of three.
    func readStatement<T: Sendable>(timeout: Duration = heartbeatTimeout, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        transactionCount.add(1, ordering: .relaxed)
        return try await translatingErrors(timeout: timeout) {
            try await client.withConnection { connection in try await body(connection) }
        }
    }

    /// Runs `body` in one read-only snapshot.
    func read<T: Sendable>(timeout: Duration = operationTimeout, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        transactionCount.add(1, ordering: .relaxed)
        return try await translatingErrors(timeout: timeout) {
            try await client.withConnection { connection in
                try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
                do {
                    let result = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return result
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    /// How long the daemon's heartbeat operations (the lease, the revisions) may take, waiting for a
    /// connection included: while the server is down the pool keeps trying to reconnect, and callers get
    /// an error instead of waiting with it, so a leader stands down well within its lease.
    public static let heartbeatTimeout: Duration = .seconds(5)
    /// How long any other operation may take (a large apply or `store copy` on a slow server).
    public static let operationTimeout: Duration = .seconds(120)

    /// Runs `body` within `timeout`, turning the driver's errors into ``FleetStoreError``s that name the
    /// server.
    private func translatingErrors<T: Sendable>(timeout: Duration, _ body: () async throws -> T) async throws -> T {
        let location = location
        do {
            // The body runs in a child task of a group that ends before this returns, so it never
            // outlives the call; a timeout cancels it (a wait for a pooled connection ends then).
            return try await withoutActuallyEscaping(body) { body in
                nonisolated(unsafe) let body = body
                return try await withThrowingTaskGroup(of: T?.self) { group in
                    group.addTask { try await body() }
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        return nil
                    }
                    defer { group.cancelAll() }
                    guard let first = try await group.next(), let value = first else {
                        throw FleetStoreError.connectionFailed(
                            location: location, detail: "no answer within \(timeout) (is the server up and reachable?)")
                    }
                    return value
                }
            }
        } catch let error as FleetStoreError {
            throw error
        } catch {
            throw FleetStoreError.connectionFailed(location: location, detail: Self.describe(error))
        }
    }

    /// One line for a driver error: the server's message, or the network cause.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + state
            }
            if let underlying = error.underlying { return describe(underlying) }
            switch error.code {
            case .serverClosedConnection: return "the server closed the connection"
            case .connectionError: return "cannot connect"
            case .authMechanismRequiresPassword: return "the server asks for a password and none was given (URL, PGPASSWORD or ~/.pgpass)"
            case .sslUnsupported: return "the server does not support SSL, and sslmode requires it"
            default: return "\(error.code)"
            }
        }
        if let error = error as? NIOConnectionError {
            if let failure = error.connectionErrors.first { return describe(failure.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "cannot resolve the host name" }
            return "cannot connect"
        }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return "connection refused (is PostgreSQL running and listening on that address?)"
            case ETIMEDOUT: return "connection timed out"
            case EHOSTUNREACH, ENETUNREACH: return "no route to the host"
            default: return String(cString: strerror(error.errnoCode))
            }
        }
        if let error = error as? ChannelError, case .connectTimeout = error { return "connection timed out" }
        return "\(error)"
    }
}
