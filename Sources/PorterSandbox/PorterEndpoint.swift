import Foundation

/// Where the client sends requests and with which key: the outcome of base-URL resolution.
///
/// Resolution follows reference §1.1 exactly, first match wins:
/// 1. an explicit base URL;
/// 2. `PORTER_SANDBOX_BASE_URL`;
/// 3. `PORTER_CLUSTER_ID` (outside the cluster): the dashboard gateway URL with the project id read from
///    the API key, which is then required;
/// 4. `KUBERNETES_SERVICE_HOST` (inside a pod): the in-cluster URL;
/// 5. an API key alone: an error saying `PORTER_CLUSTER_ID` is missing;
/// 6. nothing: an error explaining the options.
/// Empty strings count as unset; trailing slashes are removed.
public struct PorterEndpoint: Sendable, Equatable {
    /// The base URL every endpoint path is appended to (never resolved as a relative reference).
    public var baseURL: String
    /// The API key sent as `Authorization: Bearer …`, if any. Never logged.
    public var apiKey: String?

    /// The in-cluster Sandbox API URL.
    public static let inClusterURL = "http://sandbox-api.porter-sandbox-system.svc.cluster.local:8080"
    /// The external gateway URL pattern (project and cluster ids filled in).
    public static func gatewayURL(projectID: Int, clusterID: String) -> String {
        "https://dashboard.porter.run/api/v2/alpha/projects/\(projectID)/clusters/\(clusterID)"
    }

    /// Creates an endpoint from already-resolved values.
    public init(baseURL: String, apiKey: String?) {
        self.baseURL = Self.trimmingTrailingSlashes(baseURL)
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Resolves the base URL and API key from explicit values and the environment.
    ///
    /// - Parameters:
    ///   - apiKey: an explicit API key; otherwise `PORTER_SANDBOX_API_KEY`.
    ///   - baseURL: an explicit base URL, which wins over everything else.
    ///   - environment: the process environment (injectable for tests).
    /// - Throws: ``PorterError`` of kind `invalidConfiguration` saying what to set.
    public static func resolve(
        apiKey: String? = nil,
        baseURL: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> PorterEndpoint {
        func value(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        let key = nonEmpty(apiKey) ?? value("PORTER_SANDBOX_API_KEY")
        if let explicit = nonEmpty(baseURL) { return try validated(explicit, apiKey: key) }
        if let fromEnvironment = value("PORTER_SANDBOX_BASE_URL") { return try validated(fromEnvironment, apiKey: key) }
        if let clusterID = value("PORTER_CLUSTER_ID") {
            guard let key else {
                throw PorterError(
                    kind: .invalidConfiguration,
                    message: "PORTER_CLUSTER_ID is set, so the Sandbox API is reached through the Porter dashboard, which needs an API key: pass apiKey or set PORTER_SANDBOX_API_KEY."
                )
            }
            let projectID = try PorterAPIToken.projectID(fromToken: key)
            return PorterEndpoint(baseURL: gatewayURL(projectID: projectID, clusterID: clusterID), apiKey: key)
        }
        if value("KUBERNETES_SERVICE_HOST") != nil { return PorterEndpoint(baseURL: inClusterURL, apiKey: key) }
        if key != nil {
            throw PorterError(
                kind: .invalidConfiguration,
                message: "An API key is set but PORTER_CLUSTER_ID is missing: set PORTER_CLUSTER_ID to the id of the cluster that runs your sandboxes, or set PORTER_SANDBOX_BASE_URL."
            )
        }
        throw PorterError(
            kind: .invalidConfiguration,
            message: "No Sandbox API configured: set PORTER_SANDBOX_BASE_URL (e.g. the URL of `porter-fleet local serve`), or PORTER_CLUSTER_ID with PORTER_SANDBOX_API_KEY to use Porter from outside the cluster, or run inside the cluster."
        )
    }

    private static func validated(_ url: String, apiKey: String?) throws -> PorterEndpoint {
        let trimmed = trimmingTrailingSlashes(url)
        guard let parsed = URL(string: trimmed), let scheme = parsed.scheme?.lowercased(),
            scheme == "http" || scheme == "https", parsed.host != nil
        else {
            throw PorterError(
                kind: .invalidConfiguration,
                message: "The Sandbox API base URL '\(trimmed)' is not an http(s) URL with a host."
            )
        }
        return PorterEndpoint(baseURL: trimmed, apiKey: apiKey)
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    static func trimmingTrailingSlashes(_ url: String) -> String {
        var url = Substring(url)
        while url.hasSuffix("/") { url = url.dropLast() }
        return String(url)
    }
}

extension PorterEndpoint: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The base URL and whether a key is set; the key itself is never shown.
    public var description: String {
        "PorterEndpoint(baseURL: \(baseURL), apiKey: \(apiKey == nil ? "none" : "<redacted>"))"
    }

    /// The same as ``description``: the key is redacted here too.
    public var debugDescription: String { description }

    /// A mirror without the key, so `dump` and debuggers cannot print it.
    public var customMirror: Mirror {
        Mirror(self, children: ["baseURL": baseURL, "apiKey": apiKey == nil ? "none" : "<redacted>"])
    }
}
