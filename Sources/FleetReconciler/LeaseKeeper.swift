import FleetStore
import Foundation

/// The single-writer lease of one holder (docs/design-decisions.md, "The single-writer lease"): the one
/// place that takes, renews, checks and releases it, and that knows when it was last renewed. The daemon
/// calls ``hold()`` on its tick; a controller fenced with it calls ``check()`` before every mutating call
/// and ``renewIfDue()`` beside a long pass; a one-shot command takes it with ``acquire(wait:onWaiting:)``.
/// Every change of leadership is published on ``leadership`` before the caller hears of it.
public actor LeaseKeeper {
    /// Who leads, as this holder knows it.
    public enum Leadership: Sendable, Equatable {
        /// This holder leads under `token`, its lease renewed at `renewedAt` (the keeper's clock).
        case leading(token: Int64, renewedAt: Date)
        /// Another holder (when known) leads until `until` unless it renews.
        case standingBy(holder: String?, until: Date)
        /// The store cannot be reached: nobody here leads.
        case storeUnavailable(String)
        /// The lease was given back.
        case released
    }

    /// Who this keeper holds the lease for (`host:pid`, `reconcile@host:pid`).
    public nonisolated let holder: String
    /// How long a grant lasts unless renewed; it is renewed every third of it.
    public nonisolated let duration: TimeInterval
    /// Every change of leadership, in order.
    public nonisolated let leadership: AsyncStream<Leadership>
    private let publisher: AsyncStream<Leadership>.Continuation
    private let store: any FleetStore
    private let clock: any FleetClock
    /// Whether checks renew the lease (off for a grant taken elsewhere and only checked).
    private let renews: Bool
    private var grant: LeaseGrant?
    private var renewedAt: Date = .distantPast
    private var otherHolderUntil: Date = .distantPast
    private var published: Leadership?

    /// A keeper for `holder` on `store`; it holds nothing until ``hold()`` or ``acquire(wait:onWaiting:)``.
    public init(store: any FleetStore, holder: String, duration: TimeInterval, clock: any FleetClock = SystemFleetClock()) {
        self.store = store
        self.holder = holder
        self.duration = duration
        self.clock = clock
        renews = true
        (leadership, publisher) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(16))
    }

    /// A keeper for a grant taken elsewhere (`token`, renewed at `renewedAt`); without a `duration` its
    /// checks only confirm the grant is current, never renew it.
    public init(
        store: any FleetStore, holder: String, token: Int64, duration: TimeInterval?, renewedAt: Date, clock: any FleetClock = SystemFleetClock()
    ) {
        self.store = store
        self.holder = holder
        self.duration = duration ?? 15
        self.clock = clock
        renews = duration != nil
        grant = LeaseGrant(holder: holder, token: token, expiresAt: renewedAt.addingTimeInterval(duration ?? 15))
        self.renewedAt = renewedAt
        (leadership, publisher) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(16))
    }

    deinit { publisher.finish() }

    /// The token this keeper holds, if it leads.
    public var token: Int64? { grant?.token }

    /// How long the lease has left, as of the last renewal.
    public var leaseLeft: Duration { .seconds(max(0, duration - clock.now().timeIntervalSince(renewedAt))) }

    /// The daemon's tick: takes the lease, or renews it once a third of it has passed; while another holder
    /// has it, tries again only once that grant may have expired. A leader that cannot renew (the store
    /// unreachable, the lease taken over) stops leading at once, well before its grant could expire.
    @discardableResult
    public func hold() async -> Leadership {
        let now = clock.now()
        if grant == nil, now < otherHolderUntil, let published { return published }
        if grant != nil, now.timeIntervalSince(renewedAt) < duration / 3, let published { return published }
        do {
            grant = try await store.acquireLease(holder: holder, duration: duration, now: now)
        } catch {
            grant = nil
            return publish(.storeUnavailable(Self.describe(error)))
        }
        if let grant {
            renewedAt = now
            return publish(.leading(token: grant.token, renewedAt: now))
        }
        let other = try? await store.leaseHolder(now: now)
        otherHolderUntil = other?.expiresAt ?? .distantPast
        return publish(.standingBy(holder: other?.holder, until: otherHolderUntil))
    }

    /// A command's way in: takes the lease, or throws ``LeaseHeld`` naming the holder; with `wait`, tries
    /// again every 250 ms until it is free (`onWaiting` hears of the holder once).
    public func acquire(wait: Bool, onWaiting: @Sendable (LeaseGrant) -> Void = { _ in }) async throws -> LeaseGrant {
        var announced = false
        while true {
            let now = clock.now()
            if let grant = try await store.acquireLease(holder: holder, duration: duration, now: now) {
                self.grant = grant
                renewedAt = now
                publish(.leading(token: grant.token, renewedAt: now))
                return grant
            }
            let current = try await store.leaseHolder(now: now)
            guard wait else { throw LeaseHeld(current: current) }
            if !announced, let current {
                onWaiting(current)
                announced = true
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// Before a mutating call: renews the lease once a third of it has passed, else checks that it is
    /// still current; throws ``LeaseLost`` when it is not (and store errors as they are).
    public func check() async throws {
        guard let grant else { throw LeaseLost(holder: holder, token: 0) }
        let now = clock.now()
        do {
            if renews, now.timeIntervalSince(renewedAt) >= duration / 3 {
                let renewed = try await store.acquireLease(holder: holder, duration: duration, now: now)
                guard renewed?.token == grant.token else { throw lost(grant) }
                renewedAt = now
                publish(.leading(token: grant.token, renewedAt: now))
            } else if !(try await store.leaseIsCurrent(holder: holder, token: grant.token, now: now)) {
                throw lost(grant)
            }
        } catch let error as LeaseLost {
            throw error
        } catch {
            publish(.storeUnavailable(Self.describe(error)))
            throw error
        }
    }

    /// Renews the lease when a third of it has passed (a pass that finds nothing to do otherwise reads
    /// nothing from the store for it); throws ``LeaseLost`` when it was taken over.
    public func renewIfDue() async throws {
        guard renews, grant != nil, clock.now().timeIntervalSince(renewedAt) >= duration / 3 else { return }
        try await check()
    }

    /// Gives the lease back (a standby may take it at once); nothing when none is held.
    public func release() async {
        guard let grant else { return }
        try? await store.releaseLease(holder: holder, token: grant.token)
        self.grant = nil
        publish(.released)
    }

    private func lost(_ grant: LeaseGrant) -> LeaseLost {
        self.grant = nil
        publish(.standingBy(holder: nil, until: .distantPast))
        return LeaseLost(holder: holder, token: grant.token)
    }

    /// Publishes `leadership` when it differs from the last published in kind or token (a renewal is
    /// published too: it moves the lease's end).
    @discardableResult
    private func publish(_ leadership: Leadership) -> Leadership {
        if leadership != published {
            published = leadership
            publisher.yield(leadership)
        }
        return leadership
    }

    /// A store error in one line: where, and why (a password is never part of a store's location).
    public static func describe(_ error: any Error) -> String {
        if case FleetStoreError.connectionFailed(let location, let detail) = error { return "\(location): \(detail)" }
        return "\(error)"
    }
}

/// Another holder has the fleet lease (`current`, when known).
public struct LeaseHeld: Error, Sendable {
    /// The holder and its grant.
    public var current: LeaseGrant?
}
