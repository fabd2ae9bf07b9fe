import PorterSandbox

/// Exponential backoff with full jitter between reconcile passes that failed on a transient API
/// error (429, 5xx, a timeout, a dropped connection), so a throttled or flapping API is retried
/// ever more gently instead of given up on or hammered.
public struct PassBackoff: Sendable {
    /// The ceiling of the first wait.
    public var base: Duration
    /// The longest wait.
    public var cap: Duration
    /// Failed passes since the last success.
    public private(set) var failures = 0

    /// A backoff starting at `base` and doubling up to `cap`.
    public init(base: Duration = .milliseconds(500), cap: Duration = .seconds(30)) {
        self.base = base
        self.cap = cap
    }

    /// Records a failed pass and returns how long to wait before the next: uniformly random up to
    /// `min(cap, base × 2^(failures-1))`.
    public mutating func failed<Generator: RandomNumberGenerator>(using generator: inout Generator) -> Duration {
        failures += 1
        let ceiling = min(cap, base * (1 << min(failures - 1, 20)))
        return ceiling * Double.random(in: 0.1...1, using: &generator)
    }

    /// Records a failed pass, with the system's random numbers.
    public mutating func failed() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return failed(using: &generator)
    }

    /// Records a successful pass: the next failure waits `base` again.
    public mutating func succeeded() { failures = 0 }

    /// Whether a pass that failed with `error` is worth retrying: throttling, server errors, timeouts
    /// and dropped connections are; authentication, configuration and client errors are not, and
    /// neither is a transport error before the API ever answered (a wrong or unreachable address).
    public static func isTransient(_ error: any Error, apiAnsweredBefore: Bool) -> Bool {
        guard let error = error as? PorterError else { return false }
        switch error.kind {
        case .rateLimited, .server, .timeout, .invalidResponse: return true
        case .transport: return apiAnsweredBefore
        default: return false
        }
    }
}
