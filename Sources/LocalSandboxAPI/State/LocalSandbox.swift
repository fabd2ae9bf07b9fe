import Foundation
import PorterSandbox

/// A sandbox as the local Sandbox API records it: the create request plus its lifecycle.
struct LocalSandbox: Codable, Sendable {
    var id: String
    var name: String
    /// Creation order, for newest-first listing.
    var sequence: Int64
    var spec: SandboxSpec
    var phase: SandboxPhase
    var exitCode: Int64?
    var createdAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    var terminationReason: TerminationReason?
    /// Volume id by mount path.
    var volumeMounts: [String: String]

    var image: String { spec.image ?? "" }
    var tags: [String: String] { spec.tags?.additionalProperties ?? [:] }
    var isLive: Bool { !phase.isTerminal }

    /// When the TTL ends: `started_at` (or `created_at` while not started) plus `ttl_seconds`.
    var ttlDeadline: Date? {
        guard let ttl = spec.ttlSeconds else { return nil }
        return (startedAt ?? createdAt).addingTimeInterval(TimeInterval(ttl))
    }

    /// The wire status.
    var status: SandboxStatus {
        let port = spec.networking?.first?.port
        return SandboxStatus(
            id: id,
            name: name,
            image: image,
            tags: spec.tags,
            phase: phase,
            exitCode: exitCode,
            createdAt: createdAt,
            startedAt: startedAt,
            finishedAt: finishedAt,
            terminationReason: terminationReason,
            host: "",
            internalAddress: port.map { "127.0.0.1:\($0)" } ?? "",
            volumeMounts: volumeMounts.isEmpty ? nil : .init(additionalProperties: volumeMounts),
            // There are no pods here, so no pod coordinates for interactive exec (Porter omits them until a pod exists).
            execTarget: nil
        )
    }

    /// Moves to a terminal phase once; later calls change nothing (terminal phases are final).
    mutating func finish(_ phase: SandboxPhase, reason: TerminationReason, exitCode: Int64? = nil, at now: Date) {
        guard isLive else { return }
        self.phase = phase
        self.terminationReason = reason
        if let exitCode { self.exitCode = exitCode }
        self.finishedAt = now
    }
}

/// A volume as the local Sandbox API records it.
struct LocalVolume: Codable, Sendable {
    var id: String
    var name: String
    var type: VolumeType
    var object: VolumeObjectSpec?
    var phase: VolumePhase
    var createdAt: Date
    var deleted: Bool = false

    /// The subdirectory name of its data, as Porter reports it.
    var path: String { type == .disk ? "sandbox-vol-\(id)" : "" }

    func record(attachedTo: [String]) -> VolumeRecord {
        VolumeRecord(
            id: id, name: name, _type: type, object: object, path: path, phase: phase, attachedTo: attachedTo,
            createdAt: createdAt)
    }
}

/// One log line of a sandbox.
struct LocalLogLine: Codable, Sendable {
    var sandboxID: String
    var timestamp: Date
    var line: String
    var level: Components.Schemas.LogLineLevel
    var execID: String
}
