import FleetModel
import FleetStore
import Foundation

/// What a generation is created from, in the terms of the manifest that declares it: the JSON document
/// a spec hash is recorded with (``RecordedSpec``), `{"spec": …, "tags": …}`, a set member's template
/// under `spec.template`. Diffing two of them names the fields a replacement changes, with the paths
/// `apply --dry-run` shows.
enum SpecDocument {
    /// The document of `sandbox`; nil when it cannot be encoded.
    static func of(_ sandbox: DesiredSandbox) -> String? {
        if sandbox.owner.hasPrefix("\(ResourceKind.sandboxSet.rawValue)/") {
            return try? CanonicalJSON.string(Document(spec: SetSpec(template: sandbox.template), tags: sandbox.tags))
        }
        return try? CanonicalJSON.string(Document(spec: sandbox.template, tags: sandbox.tags))
    }

    private struct Document<Spec: Encodable>: Encodable {
        var spec: Spec
        var tags: [String: String]
    }

    private struct SetSpec: Encodable {
        var template: SandboxTemplate
    }
}
