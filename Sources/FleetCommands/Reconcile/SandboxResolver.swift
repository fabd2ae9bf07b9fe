import FleetReconciler
import FleetStore
import Foundation
import PorterSandbox

/// Finds the current generation of a logical sandbox in the Sandbox API by its ownership tags.
enum SandboxResolver {
    /// The newest generation of `logicalName` in `fleet`, running ones first when `runningOnly`.
    static func current(_ logicalName: String, fleet: String, porter: Porter, runningOnly: Bool) async throws -> Sandbox {
        var best: Sandbox?
        var bestGeneration = -1
        let phases: [SandboxPhaseFilter] = runningOnly ? [.running] : []
        for try await sandbox in porter.sandboxes.all(tags: [OwnershipTags.fleet: fleet, OwnershipTags.name: logicalName], phases: phases) {
            let generation = sandbox.tags?[OwnershipTags.generation].flatMap { Int($0) } ?? 0
            if generation > bestGeneration {
                best = sandbox
                bestGeneration = generation
            }
        }
        guard let best else {
            throw CommandFailure(
                runningOnly
                    ? "no running generation of '\(logicalName)' in fleet '\(fleet)'; see 'porter-fleet status'"
                    : "no sandbox of '\(logicalName)' in fleet '\(fleet)'; see 'porter-fleet status'")
        }
        return best
    }
}
