import FleetStore
import PorterSandbox

/// What went wrong with one action, classified for what happens next: a retryable failure is tried
/// again after the per-resource backoff, a terminal one needs a change (of the spec or the API's
/// configuration) before it can succeed, and a maybe-done one may have taken effect (a create whose
/// answer was lost), so it is settled by name before anything is sent again.
public struct ActionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What happens next.
    public enum Disposition: String, Sendable, Equatable {
        /// Tried again after the backoff: throttling, a server error, the store briefly unreachable.
        case retryable
        /// Fails the same way until something changes: a refused request, a missing resource.
        case terminal
        /// May have taken effect: settled by name on the next pass.
        case maybeDone = "maybe_done"
    }

    /// What happens next.
    public var disposition: Disposition
    /// The API's error, when the API (or the way to it) failed.
    public var porterError: PorterError?
    /// The words shown in events, logs and `reconcile`.
    public var message: String

    /// An error of `disposition` with `message`.
    public init(_ disposition: Disposition, _ message: String, porterError: PorterError? = nil) {
        self.disposition = disposition
        self.message = message
        self.porterError = porterError
    }

    /// `error` classified: a lost answer to a mutating call may be done; throttling, server errors,
    /// timeouts before sending and store errors are retryable; the rest is terminal.
    public init(_ error: any Error, mutating: Bool = true) {
        switch error {
        case let error as ActionError:
            self = error
        case let error as PorterError:
            let disposition: Disposition =
                switch error.kind {
                case .timeout, .transport: mutating ? .maybeDone : .retryable
                case .rateLimited, .server, .unexpectedStatus: .retryable
                case .conflict, .notFound, .authentication, .invalidConfiguration, .tooManyRedirects, .invalidResponse: .terminal
                }
            self.init(disposition, error.description, porterError: error)
        case is FleetStoreError, is CancellationError:
            self.init(.retryable, "\(error)")
        default:
            self.init(.terminal, "\(error)")
        }
    }

    public var description: String { message }
}
