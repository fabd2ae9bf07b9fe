import PorterSandboxListing

/// The live sandboxes of a fleet as one listing found them, with a fingerprint of the API's answer.
public struct LiveListing: Sendable {
    /// The sandboxes, in the order the API listed them.
    public var sandboxes: [ObservedSandbox]
    /// Equal for two listings whose every page the API answered with the same bytes; nil when the
    /// backend cannot tell (then every pass plans in full).
    public var fingerprint: ListingFingerprint?

    /// A listing of `sandboxes`.
    public init(sandboxes: [ObservedSandbox], fingerprint: ListingFingerprint? = nil) {
        self.sandboxes = sandboxes
        self.fingerprint = fingerprint
    }
}

/// The digests of a listing's pages, in order.
public struct ListingFingerprint: Hashable, Sendable {
    /// One digest a page.
    public var pages: [BodyDigest]

    /// The fingerprint of pages with these digests.
    public init(pages: [BodyDigest]) { self.pages = pages }
}
