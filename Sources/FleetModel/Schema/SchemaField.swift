/// One field of an object of the manifest format: its name as written in manifests, whether it must be
/// given, and what it holds.
public struct SchemaField: Sendable {
    /// The name written in manifests.
    public var name: String
    /// Whether the field must be given.
    public var isRequired: Bool
    /// What the field holds.
    public var node: SchemaNode

    /// A field named by a model's coding key, so the manifest format and the model cannot name it
    /// differently.
    public init(_ key: some CodingKey, _ node: SchemaNode, required: Bool = false) {
        self.init(key.stringValue, node, required: required)
    }

    /// A field with a name of its own (the fields of a manifest's envelope).
    public init(_ name: String, _ node: SchemaNode, required: Bool = false) {
        self.name = name
        self.isRequired = required
        self.node = node
    }
}
