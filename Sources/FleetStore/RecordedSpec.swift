import Foundation

/// What the generations of one spec hash were created from, in the terms of the manifest that declared
/// them: a JSON document `{"spec": …, "tags": …}` (a set member's template under `spec.template`). Kept
/// per hash, so that replacing a drifted generation can say which fields changed and how.
public struct RecordedSpec: Sendable, Equatable, Codable {
    /// The spec hash of the generations created from it.
    public var specHash: String
    /// The canonical JSON document.
    public var document: String
    /// When it was first recorded.
    public var recordedAt: Date

    /// A recorded spec.
    public init(specHash: String, document: String, recordedAt: Date) {
        self.specHash = specHash
        self.document = document
        self.recordedAt = recordedAt
    }

    enum CodingKeys: String, CodingKey {
        case specHash = "spec_hash"
        case document
        case recordedAt = "recorded_at"
    }
}
