import LocalSandboxAPI
import Synchronization

/// A seeded generator shared by concurrent callers (a fault script called from many tasks), so a
/// randomized test replays exactly from its seed.
public final class SharedRandom: Sendable {
    private let generator: Mutex<SplitMix64>

    /// A shared generator that starts from `seed`.
    public init(seed: UInt64) { generator = Mutex(SplitMix64(seed: seed)) }

    /// True with probability `rate`.
    public func chance(_ rate: Double) -> Bool {
        generator.withLock { Double.random(in: 0..<1, using: &$0) < rate }
    }

    /// A whole number in `range`.
    public func int(in range: ClosedRange<Int>) -> Int {
        generator.withLock { Int.random(in: range, using: &$0) }
    }
}
