import FleetModel
import Foundation

/// Replacing a generation ahead of its TTL (docs/reconcile-rules.md, "TTL rotation"). A sandbox with
/// `ttl_seconds` and `restart_policy: always` is terminated by the API when its TTL runs out; waiting for
/// that leaves the logical sandbox down while the next generation starts. Instead, once a running
/// generation is within ``lead(ttl:)`` of its end (counted from its creation: the earliest the API may
/// count from), the next generation is created, and the old one terminated once the new one runs.
/// TTLs under ``minimumTTL`` are too short to overlap usefully: those are replaced when they end.
enum TTLRotation {
    /// The shortest TTL rotated ahead of its end, in seconds.
    static let minimumTTL = 10

    /// How long before its end a generation is replaced: a fifth of the TTL, at most a minute.
    static func lead(ttl: Int) -> TimeInterval { min(60, Double(ttl) / 5) }

    /// When `generation` of a logical sandbox declared as `template` is due to be replaced; nil when it
    /// is not rotated (no TTL, a TTL under ``minimumTTL``, or a restart policy other than `always`).
    static func rotateAt(_ generation: ObservedSandbox, template: SandboxTemplate) -> Date? {
        guard template.effectiveRestartPolicy == .always, let ttl = template.ttlSeconds, ttl >= minimumTTL else { return nil }
        return generation.createdAt.addingTimeInterval(Double(ttl) - lead(ttl: ttl))
    }

    /// Whether `generation` is due to be replaced at `now`.
    static func isDue(_ generation: ObservedSandbox, template: SandboxTemplate, now: Date) -> Bool {
        rotateAt(generation, template: template).map { now >= $0 } ?? false
    }
}
