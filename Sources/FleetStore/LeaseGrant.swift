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
