import Foundation
import PorterSandbox

/// A ``SandboxBackend`` that counts every call in ``FleetMetrics`` by method, route and status.
public struct InstrumentedBackend: SandboxBackend {
    let base: any SandboxBackend
    let metrics: FleetMetrics

    /// Wraps `base`.
    public init(_ base: any SandboxBackend, metrics: FleetMetrics) {
        self.base = base
        self.metrics = metrics
    }

    private func measure<T>(_ method: String, _ route: String, _ body: () async throws -> T) async throws -> T {
        do {
            let value = try await body()
            metrics.recordAPI(method: method, route: route, code: "2xx")
            return value
        } catch let error as PorterError {
            metrics.recordAPI(method: method, route: route, code: error.statusCode.map(String.init) ?? error.kind.rawValue)
            throw error
        } catch {
            metrics.recordAPI(method: method, route: route, code: "error")
            throw error
        }
    }

    public func liveSandboxes(tags: [String: String]) async throws -> [ObservedSandbox] {
        try await measure("GET", "/v1/sandbox") { try await base.liveSandboxes(tags: tags) }
    }

    public func endedSandboxes(tags: [String: String]) async throws -> [ObservedSandbox] {
        try await measure("GET", "/v1/sandbox") { try await base.endedSandboxes(tags: tags) }
    }

    public func sandbox(id: String) async throws -> ObservedSandbox? {
        try await measure("GET", "/v1/sandbox/{id}") { try await base.sandbox(id: id) }
    }

    public func sandbox(named name: String) async throws -> ObservedSandbox? {
        try await measure("GET", "/v1/sandbox") { try await base.sandbox(named: name) }
    }

    public func createSandbox(_ spec: SandboxSpec) async throws -> String {
        try await measure("POST", "/v1/sandbox/run") { try await base.createSandbox(spec) }
    }

    public func terminateSandbox(id: String) async throws {
        try await measure("DELETE", "/v1/sandbox/{id}") { try await base.terminateSandbox(id: id) }
    }

    public func volumes() async throws -> [ObservedVolume] {
        try await measure("GET", "/v1/volume") { try await base.volumes() }
    }

    public func createVolume(name: String) async throws -> ObservedVolume {
        try await measure("POST", "/v1/volume") { try await base.createVolume(name: name) }
    }

    public func deleteVolume(id: String) async throws {
        try await measure("DELETE", "/v1/volume/{id}") { try await base.deleteVolume(id: id) }
    }
}
