import FleetStore
import Foundation
import Logging
import ServiceLifecycle

/// `run --sync-from DIR`: keeps the desired state equal to a directory of manifests (a mounted ConfigMap,
/// a git checkout). The directory is applied with prune at start (by the caller, which reports what is
/// wrong with it) and again whenever a file in it changes, so a deployment needs no shared database and
/// no operator with a CLI.
///
/// A change that does not parse or validate is logged and changes nothing: the last good desired state
/// stays until the directory is fixed.
struct ManifestSync: Service {
    let directory: ManifestDirectory
    let logger: Logger
    /// How often the directory is read for changes.
    var interval: Duration = .seconds(2)

    /// The directory's manifest files and their bytes: what a change is detected by.
    static func contents(of directory: String) -> [String: Data] {
        let url = URL(fileURLWithPath: directory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        var contents: [String: Data] = [:]
        for name in names where [".yaml", ".yml", ".json"].contains(where: name.hasSuffix) {
            contents[name] = (try? Data(contentsOf: url.appendingPathComponent(name))) ?? Data()
        }
        return contents
    }

    func run() async throws {
        var seen = Self.contents(of: directory.path)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            let current = Self.contents(of: directory.path)
            guard current != seen else { continue }
            seen = current
            do {
                let report = try await directory.apply()
                let changed = report.items.filter { $0.action != .unchanged }
                logger.info(
                    "applied \(directory.path)",
                    metadata: ["revision": "\(report.revision)", "changed": "\(changed.map { "\($0.kind.rawValue)/\($0.name) \($0.action.rawValue)" })"])
            } catch {
                logger.error("cannot apply \(directory.path); the desired state is unchanged", metadata: ["error": "\(error)"])
            }
        }
    }
}
