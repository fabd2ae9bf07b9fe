/// One node of the manifest format's description: what `explain` prints and what the JSON Schema of
/// `docs/manifest.schema.json` is generated from.
public indirect enum SchemaNode: Sendable {
    case string(String, pattern: String? = nil, maxLength: Int? = nil)
    case integer(String, minimum: Int, maximum: Int)
    case boolean(String)
    case choice(String, [String])
    case list(String, of: SchemaNode, maxItems: Int? = nil)
    case map(String, of: SchemaNode)
    case object(String, fields: [(name: String, node: SchemaNode)], required: [String] = [])

    /// What the field is for.
    public var summary: String {
        switch self {
        case .string(let text, _, _), .integer(let text, _, _), .boolean(let text), .choice(let text, _), .list(let text, _, _),
            .map(let text, _), .object(let text, _, _):
            text
        }
    }

    /// The type in words, for `explain`.
    public var typeName: String {
        switch self {
        case .string: "string"
        case .integer(_, let minimum, let maximum): "integer (\(minimum)…\(maximum))"
        case .boolean: "boolean"
        case .choice(_, let values): "one of \(values.joined(separator: ", "))"
        case .list(_, let item, _): "list of \(item.typeName)"
        case .map(_, let value): "map of \(value.typeName)"
        case .object: "object"
        }
    }

    /// The fields of an object (none for other nodes).
    public var fields: [(name: String, node: SchemaNode)] {
        if case .object(_, let fields, _) = self { return fields }
        return []
    }

    /// The node at a dotted path below this one (`spec.env`), through lists and maps to their items.
    public func node(at path: [String]) -> SchemaNode? {
        guard let first = path.first else { return self }
        switch self {
        case .object(_, let fields, _): return fields.first { $0.name == first }?.node.node(at: Array(path.dropFirst()))
        case .list(_, let item, _), .map(_, let item): return item.node(at: path)
        default: return nil
        }
    }

    /// The node as JSON Schema (draft 2020-12), as a JSON-compatible value.
    public var jsonSchema: [String: any Sendable] {
        switch self {
        case .string(let text, let pattern, let maxLength):
            var schema: [String: any Sendable] = ["type": "string", "description": text]
            if let pattern { schema["pattern"] = pattern }
            if let maxLength { schema["maxLength"] = maxLength }
            return schema
        case .integer(let text, let minimum, let maximum):
            return ["type": "integer", "description": text, "minimum": minimum, "maximum": maximum]
        case .boolean(let text):
            return ["type": "boolean", "description": text]
        case .choice(let text, let values):
            return ["type": "string", "description": text, "enum": values]
        case .list(let text, let item, let maxItems):
            var schema: [String: any Sendable] = ["type": "array", "description": text, "items": item.jsonSchema]
            if let maxItems { schema["maxItems"] = maxItems }
            return schema
        case .map(let text, let value):
            return ["type": "object", "description": text, "additionalProperties": value.jsonSchema]
        case .object(let text, let fields, let required):
            var properties: [String: any Sendable] = [:]
            for field in fields { properties[field.name] = field.node.jsonSchema }
            var schema: [String: any Sendable] = ["type": "object", "description": text, "properties": properties, "additionalProperties": false]
            if !required.isEmpty { schema["required"] = required }
            return schema
        }
    }
}
