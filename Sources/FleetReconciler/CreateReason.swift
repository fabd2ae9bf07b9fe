import FleetModel
import PorterSandbox

/// Why a plan creates a generation of a logical sandbox.
public enum CreateReason: Sendable, Equatable, CustomStringConvertible {
    /// The logical sandbox has never had a generation.
    case notCreatedYet
    /// It had generations, none is live, and how the last one ended is not known.
    case noLiveGeneration
    /// The last generation ended, and the restart policy wants another.
    case previousEnded(generation: Int, phase: SandboxPhase, reason: TerminationReason?)
    /// Every live generation differs from the desired spec: create before destroy. `changes` are the
    /// fields that differ, where the store recorded what that generation was created from.
    case replaceDrifted(generation: Int, changes: [FieldChange] = [])
    /// The live generation's TTL is about to run out: its successor starts first (``TTLRotation``).
    case rotateBeforeTTL(generation: Int)

    /// Whether the new generation replaces a live one (its event is `Replacing`, not `Created`).
    public var isReplacement: Bool {
        switch self {
        case .replaceDrifted, .rotateBeforeTTL: true
        default: false
        }
    }

    /// The words `plan`, events and logs show, with the changed fields of a replacement on the same line.
    public var description: String {
        if case .replaceDrifted(_, let changes) = self, !changes.isEmpty {
            return headline + ": " + changes.map(\.description).joined(separator: ", ")
        }
        return headline
    }

    /// The words without the changed fields.
    public var headline: String {
        switch self {
        case .notCreatedYet: "the first generation"
        case .noLiveGeneration: "none was live"
        case .previousEnded(let generation, let phase, let reason):
            "generation \(generation) ended \(phase.rawValue)\(reason.map { " (\($0.rawValue))" } ?? "")"
        case .replaceDrifted(let generation, _): "replace drifted generation \(generation)"
        case .rotateBeforeTTL(let generation): "generation \(generation)'s TTL is about to run out"
        }
    }
}
