import Foundation

/// Where a PostgreSQL store is: `postgres://user[:password]@host[:port]/database[?sslmode=…&passfile=…]`
/// (also `postgresql://`), as libpq reads it.
///
/// The password comes from the URL, else `PGPASSWORD`, else a passfile (`passfile=` in the URL, else
/// `PGPASSFILE`, else `~/.pgpass`). It is never part of ``description``: print the URL with that.
public struct PostgresStoreURL: Sendable, Equatable, CustomStringConvertible {
    /// The server's host name or address.
    public var host: String
    /// The server's port (5432 unless given).
    public var port: Int
    /// The role to log in as.
    public var user: String
    /// The password, when one was found; never printed.
    public var password: String?
    /// The database that holds the store.
    public var database: String
    /// Whether and how the connection is encrypted.
    public var sslMode: SSLMode

    /// libpq's `sslmode` values.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Never encrypt.
        case disable
        /// Encrypt when the server offers it (libpq's `allow` and `prefer`, the default), without
        /// verifying the certificate.
        case prefer
        /// Always encrypt, without verifying the certificate.
        case require
        /// Always encrypt and verify the certificate chain.
        case verifyCA = "verify-ca"
        /// Always encrypt and verify the chain and the host name.
        case verifyFull = "verify-full"
    }

    /// Whether `text` names a PostgreSQL store rather than an SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// The scheme of `text` when it looks like a URL (`name://…`), else nil (a file path).
    public static func scheme(of text: String) -> String? {
        guard let range = text.range(of: "://") else { return nil }
        let scheme = text[..<range.lowerBound]
        guard let first = scheme.first, first.isLetter,
            scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." })
        else { return nil }
        return String(scheme)
    }

    /// The URL with the password masked: what output, logs and errors show.
    public var description: String {
        let credentials = password == nil ? user : "\(user):***"
        let query = sslMode == .prefer ? "" : "?sslmode=\(sslMode.rawValue)"
        return "postgres://\(credentials)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)\(query)"
    }

    /// Parses `text`, finding the password as libpq does.
    ///
    /// - Parameters:
    ///   - environment: where `PGPASSWORD`, `PGPASSFILE`, `PGUSER` and `HOME` are read.
    /// - Throws: ``PostgresURLError`` naming what is wrong (never echoing a password).
    public init(parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(PostgresURLError) {
        guard Self.isPostgres(text), let components = URLComponents(string: text) else { throw .malformed }
        guard let host = components.host, !host.isEmpty else { throw .missingHost }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw .invalidPort }
        let user = components.user?.removingPercentEncoding ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        self.user = user
        let database = String(components.path.drop { $0 == "/" }).removingPercentEncoding ?? ""
        self.database = database.isEmpty ? user : database
        var parameters: [String: String] = [:]
        for item in components.queryItems ?? [] { parameters[item.name] = item.value ?? "" }
        let unknown = Set(parameters.keys).subtracting(["sslmode", "passfile", "application_name", "connect_timeout"])
        if let first = unknown.sorted().first { throw .unknownParameter(first) }
        switch parameters["sslmode"] {
        case nil, "prefer", "allow": sslMode = .prefer
        case let value?:
            guard let mode = SSLMode(rawValue: value) else { throw .invalidSSLMode(value) }
            sslMode = mode
        }
        if let password = components.password?.removingPercentEncoding {
            self.password = password
        } else if let password = environment["PGPASSWORD"], !password.isEmpty {
            self.password = password
        } else {
            let file = parameters["passfile"] ?? environment["PGPASSFILE"] ?? environment["HOME"].map { $0 + "/.pgpass" }
            self.password = file.flatMap { PassFile(path: $0)?.password(host: self.host, port: port, database: self.database, user: user) }
        }
    }
}

/// Why a `postgres://` URL cannot be used. The messages never contain a password.
public enum PostgresURLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a URL at all.
    case malformed
    /// No host after `@`.
    case missingHost
    /// A port outside 1–65535.
    case invalidPort
    /// An `sslmode` libpq does not know.
    case invalidSSLMode(String)
    /// A query parameter porter-fleet does not read.
    case unknownParameter(String)

    /// What is wrong, and the form that works.
    public var description: String {
        let form = "postgres://user[:password]@host[:port]/database[?sslmode=…]"
        switch self {
        case .malformed: return "not a PostgreSQL URL; the form is \(form)"
        case .missingHost: return "the URL names no host; the form is \(form)"
        case .invalidPort: return "the port must be 1–65535"
        case .invalidSSLMode(let mode):
            return "sslmode '\(mode)' is not one of disable, allow, prefer, require, verify-ca, verify-full"
        case .unknownParameter(let name): return "unknown URL parameter '\(name)' (known: sslmode, passfile, application_name, connect_timeout)"
        }
    }
}

/// A libpq password file: lines of `host:port:database:user:password`, `*` matching anything,
/// `\:` and `\\` escaped; the first matching line wins.
struct PassFile {
    let entries: [[String]]

    init?(path: String) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        entries = text.split(whereSeparator: \.isNewline).compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let fields = Self.fields(of: line)
            return fields.count == 5 ? fields : nil
        }
    }

    func password(host: String, port: Int, database: String, user: String) -> String? {
        let wanted = [host, String(port), database, user]
        return entries.first { entry in zip(entry, wanted).allSatisfy { $0 == "*" || $0 == $1 } }?[4]
    }

    private static func fields(of line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
