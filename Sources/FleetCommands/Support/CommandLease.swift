import ArgumentParser
import FleetReconciler
import FleetStore
import Foundation

/// `--wait-for-lease`, for the commands that act on the Sandbox API outside the daemon.
struct LeaseOptions: ParsableArguments {
    @Flag(help: "When another controller holds the fleet lease, wait until it is free instead of failing.")
    var waitForLease = false
}

/// The single-writer lease for one command (`reconcile`, `gc`): taken before the first action, checked
/// and renewed before every mutating call, released at the end. While a daemon or another command
/// holds it, the command fails at once naming the holder, or waits with `--wait-for-lease`.
enum CommandLease {
    /// How long the lease lasts unless renewed (renewed every third of it while the command acts).
    static let duration: TimeInterval = 15
    /// How often a waiting command looks again.
    static let pollInterval: Duration = .milliseconds(250)

    /// Runs `body` with `controller` fenced by the lease of `store`.
    static func hold<T>(
        _ store: any FleetStore, for controller: FleetController, command: String, wait: Bool, _ body: () async throws -> T
    ) async throws -> T {
        let holder = "\(command)@\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
        let grant = try await acquire(store, holder: holder, wait: wait)
        await controller.setFencing(holder: holder, token: grant.token, leaseDuration: duration)
        do {
            let result = try await body()
            try? await store.releaseLease(holder: holder, token: grant.token)
            return result
        } catch {
            try? await store.releaseLease(holder: holder, token: grant.token)
            throw error
        }
    }

    private static func acquire(_ store: any FleetStore, holder: String, wait: Bool) async throws -> LeaseGrant {
        var announced = false
        while true {
            if let grant = try await store.acquireLease(holder: holder, duration: duration, now: Date()) { return grant }
            let current = try await store.leaseHolder(now: Date())
            guard wait else { throw CommandFailure(heldMessage(current)) }
            if !announced, let current {
                CommandOutput.current.error("waiting for the fleet lease, held by \(current.holder)")
                announced = true
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    static func heldMessage(_ current: LeaseGrant?) -> String {
        let who = current.map { "\($0.holder) (for \(max(1, Int($0.expiresAt.timeIntervalSinceNow.rounded(.up)))) s more unless renewed)" } ?? "another controller"
        return "the fleet lease is held by \(who): another controller acts on this fleet; let it, stop it, or pass --wait-for-lease"
    }
}
