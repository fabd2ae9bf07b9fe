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

    /// Runs `body` with `controller` fenced by the lease of `store` (``LeaseKeeper``).
    static func hold<T>(
        _ store: any FleetStore, for controller: FleetController, command: String, wait: Bool, _ body: () async throws -> T
    ) async throws -> T {
        let keeper = LeaseKeeper(store: store, holder: "\(command)@\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)", duration: duration)
        do {
            _ = try await keeper.acquire(wait: wait) { current in
                CommandOutput.current.error("waiting for the fleet lease, held by \(current.holder)")
            }
        } catch let held as LeaseHeld {
            throw CommandFailure(heldMessage(held.current))
        }
        await controller.fence(with: keeper)
        // Renewed every third of it for the command's length, as the daemon does: a command waiting out
        // an API outage between passes keeps its lease.
        let renewal = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(duration / 3))
                try await keeper.renewIfDue()
            }
        }
        do {
            let result = try await body()
            renewal.cancel()
            await keeper.release()
            return result
        } catch {
            renewal.cancel()
            await keeper.release()
            throw error
        }
    }

    static func heldMessage(_ current: LeaseGrant?) -> String {
        let who = current.map { "\($0.holder) (for \(max(1, Int($0.expiresAt.timeIntervalSinceNow.rounded(.up)))) s more unless renewed)" } ?? "another controller"
        return "the fleet lease is held by \(who): another controller acts on this fleet; let it, stop it, or pass --wait-for-lease"
    }
}
