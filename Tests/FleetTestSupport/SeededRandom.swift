import Synchronization

/// SplitMix64: a small seeded generator, so a randomized test replays exactly from its seed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator that starts from `seed`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A seeded generator shared by concurrent callers (a fault script called from many tasks).
public final class SharedRandom: Sendable {
    private let generator: Mutex<SeededRandom>

    /// A shared generator that starts from `seed`.
    public init(seed: UInt64) { generator = Mutex(SeededRandom(seed: seed)) }

    /// True with probability `rate`.
    public func chance(_ rate: Double) -> Bool {
        generator.withLock { Double.random(in: 0..<1, using: &$0) < rate }
    }

    /// A whole number in `range`.
    public func int(in range: ClosedRange<Int>) -> Int {
        generator.withLock { Int.random(in: range, using: &$0) }
    }
}
