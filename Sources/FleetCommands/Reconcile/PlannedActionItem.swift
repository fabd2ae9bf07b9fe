import FleetModel
import FleetReconciler

/// One planned action in `plan -o json` (`action_details`), as fields a script can read: what kind of
/// action, on which logical resource and actual object, and why.
struct PlannedActionItem: Encodable {
    var kind: String
    var logicalName: String
    var actualName: String?
    var generation: Int?
    var volumeId: String?
    var reason: String?
    var summary: String
    /// The fields a replacement of a drifted generation changes.
    var changes: [FieldChange]?

    init(_ action: PlannedAction) {
        kind = action.kind.rawValue
        logicalName = action.logicalName
        summary = action.summary
        switch action {
        case .createSandbox(_, let generation, let actual, _, _, let reason):
            self.generation = generation
            actualName = actual
            self.reason = reason.description
            changes = action.fieldChanges.isEmpty ? nil : action.fieldChanges
        case .terminateSandbox(let id, let actual, _, let reason):
            actualName = actual
            self.reason = "\(reason) (\(id))"
        case .createVolume(_, let actual):
            actualName = actual
        case .adoptVolume(_, let id, let actual, _):
            actualName = actual
            volumeId = id
        case .deleteVolume(_, let id), .retainVolume(_, let id), .forgetVolume(_, let id):
            volumeId = id
        }
    }
}
