import FleetStore
import Foundation

/// What the last pass that found nothing to do observed, and its plan.
///
/// A pass is a function of the desired state, the reconciler's records, the API's answers and the time.
/// When a pass made no change and no call beyond the listings, and nothing in its plan waits for a time
/// (no backoff, no failure count that a clean run would reset, no requeue), a later pass that reads the
/// same revisions and gets the same listing back byte for byte would plan the same and change nothing:
/// it reuses this plan instead of computing it again. A full pass still runs at least every
/// ``ControllerOptions/fullPassInterval``.
struct SettledObservation: Sendable {
    var revisions: StoreRevisions
    var pruneAll: Bool
    var listing: ListingFingerprint
    /// The volumes listed, when the pass listed them.
    var volumes: [ObservedVolume]?
    var plan: Plan
    /// When the pass that planned in full ran.
    var plannedAt: Date

    /// Whether a pass that observed these would plan as this one did, at `now`.
    func holds(
        revisions: StoreRevisions, pruneAll: Bool, listing: ListingFingerprint?, volumes: [ObservedVolume]?, now: Date, interval: TimeInterval
    ) -> Bool {
        self.revisions == revisions && self.pruneAll == pruneAll && self.listing == listing && self.volumes == volumes
            && now.timeIntervalSince(plannedAt) < interval && now >= plannedAt
    }

    /// What `pass` observed, when it settled: nothing to do, nothing changed, no call beyond the
    /// `listingCalls`, and nothing waiting for a time. Nil otherwise.
    static func of(_ pass: ReconcilePass, result: ReconcileResult, listingCalls: Int) -> SettledObservation? {
        guard let listing = pass.listing, pass.plan.actions.isEmpty, pass.plan.requeueAt == nil, pass.plan.held.isEmpty,
            result.failed.isEmpty, result.deferred.isEmpty, pass.changes.isEmpty, pass.state.intents.isEmpty,
            result.apiCalls == listingCalls,
            pass.history.values.allSatisfy({ $0.failureCount == 0 && $0.backoffUntil == nil })
        else { return nil }
        return SettledObservation(
            revisions: pass.revisions, pruneAll: pass.desired.pruneAllRequested, listing: listing, volumes: pass.volumes, plan: pass.plan,
            plannedAt: pass.now)
    }
}
