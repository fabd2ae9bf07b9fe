import Hummingbird
import HummingbirdCore
import NIOCore

/// What one client may hold of the server: how long an idle keep-alive connection stays open and
/// how large a request head may be. Bodies have their own limits (1 MiB of JSON, the upload limit for
/// files). `docs/local-api.md` lists the defaults.
public struct HTTPLimits: Sendable {
    /// A connection with no request in progress (or one whose head or body stalls) is closed after this.
    public var idleTimeout: Duration = .seconds(30)
    /// The largest single header field, name and value, in bytes.
    public var maximumHeaderFieldBytes = 16 * 1024
    /// The largest request head, all fields together, in bytes.
    public var maximumHeaderBytes = 64 * 1024
    /// The most header fields in one request.
    public var maximumHeaderFields = 100
    /// The longest a JSON request body may take to arrive, however steadily it trickles; then 408.
    public var jsonBodyDeadline: Duration = .seconds(30)
    /// The longest one file upload may take from its head to its last byte; then 408.
    public var uploadDeadline: Duration = .seconds(600)

    /// The defaults.
    public init() {}

    var channelConfiguration: HTTP1Channel.Configuration {
        let nanoseconds = idleTimeout.components.seconds * 1_000_000_000 + idleTimeout.components.attoseconds / 1_000_000_000
        return HTTP1Channel.Configuration(
            idleTimeout: .nanoseconds(nanoseconds),
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: maximumHeaderFieldBytes, maxHeaderListSize: maximumHeaderBytes, maxHeaderFieldCount: maximumHeaderFields)
        )
    }
}
