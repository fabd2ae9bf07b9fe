/// Where a value is inside one manifest, as messages name it: `spec.networking[0].port`, `spec.env.A`.
struct FieldPath: CustomStringConvertible, Sendable {
    /// The path; empty for the manifest itself.
    let text: String

    /// The manifest itself.
    static let root = FieldPath(text: "")

    /// The path, or `manifest` for the manifest itself.
    var description: String { text.isEmpty ? "manifest" : text }

    /// The field `name` of this object.
    func field(_ name: String) -> FieldPath { FieldPath(text: text.isEmpty ? name : "\(text).\(name)") }

    /// The item at `index` of this list.
    func item(_ index: Int) -> FieldPath { FieldPath(text: "\(text)[\(index)]") }
}
