import FleetModel
import FleetReconciler
import FleetStore

/// What `apply`, `delete` and `scale` say when the change they just made is one the prune guard will hold:
/// removing more than half of a fleet's live sandboxes (at least ``PruneGuard/minimum``) is not carried out
/// by a pass until asked for, and a user who scaled 2,000 to 100 should hear so at once, not find out from
/// `plan`.
enum PruneGuardNotice {
    /// The notice for the store's desired state and the reconciler's last view of the fleet; nil when the
    /// guard would not hold (or `delete --all` asked for the pruning).
    static func message(for store: any FleetStore) async -> String? {
        guard let settings = try? await store.settings(), let resources = try? await store.resources(),
            let statuses = try? await store.statuses(),
            let desired = try? DesiredFleet(resources: resources, settings: settings, pruneAllRequested: false)
        else { return nil }
        // `delete --all` asked for the pruning (or the request cannot be read): nothing to say.
        do {
            guard try await store.pruneAllRequestedRevision() == nil else { return nil }
        } catch {
            return nil
        }
        let desiredNames = Set(desired.sandboxes.map(\.logicalName))
        let live = statuses.filter { status in status.phase.flatMap(SandboxLivePhase.init(rawValue:)) != nil }
        let leaving = live.filter { !desiredNames.contains($0.logicalName) }.count
        guard PruneGuard.holds(terminating: leaving, ofLive: live.count) else { return nil }
        return "note: \(leaving) of the fleet's \(live.count) live sandboxes are no longer desired; the prune guard holds their "
            + "terminations until asked (reconcile or run with --allow-prune, or 'porter-fleet delete --all')"
    }

    /// Prints the notice, if any, to stderr (so `-o json` stays one document).
    static func print(for store: any FleetStore) async {
        if let message = await message(for: store) { CommandOutput.current.error(message) }
    }

    /// The phases of a live generation.
    private enum SandboxLivePhase: String {
        case queued, creating, running
    }
}
