import FleetModel
import FleetStore
import FleetStorePostgres
import FleetStoreSQLite
import FleetTestSupport
import Foundation

/// The engines the contract suite runs against. Each test takes every engine as an argument, so an
/// engine added here (PostgreSQL next) runs the whole suite. The in-memory engine's "second handle" is
/// the same object (there is no second process to share it with).
enum StoreEngine: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case memory
    case postgres

    var description: String { rawValue }

    /// A fresh, empty store, and a second handle on the same store (another connection, as another
    /// process would have).
    func makeStores() async throws -> (any FleetStore, any FleetStore, cleanup: @Sendable () -> Void) {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("porter-fleet-contract-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("fleet.db").path
            let first = try SQLiteFleetStore(path: path)
            let second = try SQLiteFleetStore(path: path, create: false)
            return (first, second, { try? FileManager.default.removeItem(at: directory) })
        case .memory:
            let store = InMemoryFleetStore()
            return (store, store, {})
        case .postgres:
            let url = try await TestPostgres.freshDatabase()
            let first = try await PostgresFleetStore(url: url)
            let second = try await PostgresFleetStore(url: url)
            return (first, second, {})
        }
    }
}

/// Manifests from YAML, each from `source`.
func manifests(_ text: String, source: String = "fleet.yaml") throws -> [(manifest: Manifest, source: String)] {
    try ManifestText.parsed(text, source: source)
}

/// A sandbox manifest, optionally mounting a volume.
func sandbox(_ name: String, image: String = "python:3.12-slim", mounting volume: String? = nil) -> String {
    ManifestText.sandbox(name, image: image, mounting: volume)
}

/// A volume manifest.
func volume(_ name: String) -> String {
    "apiVersion: porter-fleet/v1\nkind: Volume\nname: \(name)\nspec: {}\n"
}
