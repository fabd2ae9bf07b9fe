import Foundation
import Synchronization

/// Decides, deterministically from a seed, which requests get which fault.
final class FaultInjector: Sendable {
    let spec: FaultSpec
    private let generator: Mutex<SplitMix64>

    init(spec: FaultSpec, seed: UInt64) {
        self.spec = spec
        self.generator = Mutex(SplitMix64(seed: seed))
    }

    /// What happens to one API request.
    struct Decision: Sendable {
        var status: Int?
        var latency: Duration
        var drop: Bool
    }

    /// Draws the faults of one request, always in the same order so a seed replays the same run.
    func decide(isMutation: Bool) -> Decision {
        generator.withLock { random in
            let serverError = random.nextUnit() < spec.serverErrorRate
            let rateLimited = random.nextUnit() < spec.rateLimitRate
            let latency = spec.maxLatency == .zero ? Duration.zero : spec.maxLatency * random.nextUnit()
            let drop = random.nextUnit() < spec.dropRate
            return Decision(
                status: serverError ? 503 : (rateLimited ? 429 : nil), latency: latency, drop: isMutation && drop)
        }
    }

    /// Whether one running sandbox is killed in an interval of `seconds`, and which one of `count`.
    func killVictim(running count: Int, interval seconds: Double) -> Int? {
        guard spec.killRate > 0, count > 0 else { return nil }
        return generator.withLock { random in
            let probability = 1 - exp(-spec.killRate * Double(count) * seconds)
            guard random.nextUnit() < probability else { return nil }
            return Int(random.next() % UInt64(count))
        }
    }
}

/// A small, fast, seedable random generator (SplitMix64), so a run with faults can be replayed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform number in [0, 1).
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
