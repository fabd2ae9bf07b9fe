import Foundation

/// The single-writer lease (docs/design-decisions.md): one holder at a time, a fencing token that grows on every
/// acquisition, an expiry that the holder renews.
public struct LeaseGrant: Sendable, Equatable {
    /// Who holds it.
    public var holder: String
    /// The fencing token of this acquisition.
    public var token: Int64
    /// When it expires unless renewed.
    public var expiresAt: Date

    /// A grant to `holder` with `token`, until `expiresAt`.
    public init(holder: String, token: Int64, expiresAt: Date) {
        self.holder = holder
        self.token = token
        self.expiresAt = expiresAt
    }
}

/// What a controller's write carries to prove it still holds the lease: the engine checks it in the
/// same transaction as the write, and refuses the write with ``FleetStoreError/fencedOut(holder:token:)``
/// when another controller has taken over since.
public struct LeaseFence: Sendable, Equatable {
    /// The holder the controller acquired the lease as.
    public var holder: String
    /// The fencing token of that acquisition.
    public var token: Int64
    /// The controller's clock at the write: the lease must not have expired by then.
    public var now: Date

    /// A fence for `holder`'s grant `token`, as of `now`.
    public init(holder: String, token: Int64, now: Date) {
        self.holder = holder
        self.token = token
        self.now = now
    }
}
