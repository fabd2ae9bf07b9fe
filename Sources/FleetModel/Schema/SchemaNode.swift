import WireFormats

/// One node of the manifest format's description, the one truth about what a manifest may say: `apply`
/// validates manifests by it (``SchemaValidator``), `porter-fleet explain` prints it and the JSON Schema of
/// `docs/manifest.schema.json` is generated from it.
public struct SchemaNode: Sendable {
    /// What a value may be.
    public indirect enum Shape: Sendable {
        /// A YAML string (quoted, or plain text that is not a number, boolean or null).
        case string(StringConstraints)
        /// A scalar taken as its text: a string, and numbers and booleans as `numbers` and `booleans` say.
        /// The constraints hold the text as written.
        case text(StringConstraints, numbers: NumberRule, booleans: Bool)
        /// An integer: a number with no fractional part (`3`, `3.0`, `3e0`), as JSON Schema counts them.
        case integer(ClosedRange<Int>)
        /// `true` or `false`.
        case boolean
        /// One of a few strings.
        case choice([String])
        /// A list.
        case list(of: SchemaNode, maxItems: Int?)
        /// A mapping from keys following a rule to values of one kind.
        case map(keys: TextRule, values: SchemaNode, maxEntries: Int?)
        /// A mapping of known fields; `nullable` when `null` stands for an empty one.
        case object(fields: [SchemaField], rules: [ObjectRule], nullable: Bool)
        /// Anything: what is not checked at all (the `spec` of a manifest whose kind is unknown).
        case anything
    }

    /// Which numbers a ``Shape/text(_:numbers:booleans:)`` value may be written as.
    public enum NumberRule: Sendable {
        /// None: a number is refused.
        case refused
        /// Any number.
        case any
        /// Numbers above zero.
        case positive
    }

    /// What the value is for.
    public var summary: String
    /// What it may be.
    public var shape: Shape
    /// Rules `apply` checks that JSON Schema cannot express, in words; the schema's description states them.
    public var applyOnly: [String]

    /// Creates a node.
    public init(_ summary: String, _ shape: Shape, applyOnly: [String] = []) {
        self.summary = summary
        self.shape = shape
        self.applyOnly = applyOnly
    }

    /// A string.
    public static func string(_ summary: String, _ constraints: StringConstraints = .init(), applyOnly: [String] = []) -> SchemaNode {
        SchemaNode(summary, .string(constraints), applyOnly: applyOnly)
    }

    /// A scalar taken as its text.
    public static func text(_ summary: String, _ constraints: StringConstraints = .init(), numbers: NumberRule = .any, booleans: Bool = true, applyOnly: [String] = []) -> SchemaNode {
        SchemaNode(summary, .text(constraints, numbers: numbers, booleans: booleans), applyOnly: applyOnly)
    }

    /// An integer in `range`.
    public static func integer(_ summary: String, _ range: ClosedRange<Int>) -> SchemaNode { SchemaNode(summary, .integer(range)) }

    /// A boolean.
    public static func boolean(_ summary: String) -> SchemaNode { SchemaNode(summary, .boolean) }

    /// One of `values`.
    public static func choice(_ summary: String, _ values: [String]) -> SchemaNode { SchemaNode(summary, .choice(values)) }

    /// One of the raw values of `type`.
    public static func choice<Value: RawRepresentable & CaseIterable>(_ summary: String, _ type: Value.Type) -> SchemaNode where Value.RawValue == String {
        choice(summary, type.allCases.map(\.rawValue))
    }

    /// A list of `item`.
    public static func list(_ summary: String, of item: SchemaNode, maxItems: Int? = nil) -> SchemaNode {
        SchemaNode(summary, .list(of: item, maxItems: maxItems))
    }

    /// A mapping of keys following `keys` to `values`.
    public static func map(_ summary: String, keys: TextRule, of values: SchemaNode, maxEntries: Int? = nil, applyOnly: [String] = []) -> SchemaNode {
        SchemaNode(summary, .map(keys: keys, values: values, maxEntries: maxEntries), applyOnly: applyOnly)
    }

    /// An object of `fields`.
    public static func object(_ summary: String, _ fields: [SchemaField], rules: [ObjectRule] = [], nullable: Bool = false, applyOnly: [String] = []) -> SchemaNode {
        SchemaNode(summary, .object(fields: fields, rules: rules, nullable: nullable), applyOnly: applyOnly)
    }

    /// The type in words, for `explain`.
    public var typeName: String {
        switch shape {
        case .string: "string"
        case .text(_, let numbers, let booleans):
            switch (numbers, booleans) {
            case (.refused, false): "string"
            case (.refused, true): "string or boolean (taken as text)"
            case (_, false): "string or number (taken as text)"
            case (_, true): "string, number or boolean (taken as text)"
            }
        case .integer(let range): "integer (\(range.lowerBound)…\(range.upperBound))"
        case .boolean: "boolean"
        case .choice(let values): "one of \(values.joined(separator: ", "))"
        case .list(let item, let maxItems): "list of \(item.typeName)" + (maxItems.map { ", at most \($0)" } ?? "")
        case .map(_, let values, _): "map of \(values.typeName)"
        case .object: "object"
        case .anything: "anything"
        }
    }

    /// Whether values are written as scalars taken as text (for "a list of strings" in messages).
    var isTextual: Bool {
        switch shape {
        case .string, .text, .choice: true
        default: false
        }
    }

    /// The fields of an object, or of the items of a list or map of objects (none for other nodes).
    public var fields: [SchemaField] {
        switch shape {
        case .object(let fields, _, _): fields
        case .list(let item, _), .map(_, let item, _): item.fields
        default: []
        }
    }

    /// The rules the value follows beyond its type, in words, for `explain`.
    public var rules: [String] {
        var lines: [String] = []
        switch shape {
        case .string(let constraints): lines += constraints.descriptions
        case .text(let constraints, let numbers, _):
            lines += constraints.descriptions
            if case .positive = numbers { lines.append("a number must be above 0") }
        case .list(_, let maxItems?): lines.append("at most \(maxItems) \(maxItems == 1 ? "entry" : "entries")")
        case .map(let keys, _, let maxEntries):
            lines.append("keys must be \(keys.requirement)")
            if let maxEntries { lines.append("at most \(maxEntries) entries") }
        case .object(let fields, let objectRules, _):
            let required = fields.filter(\.isRequired).map(\.name)
            if !required.isEmpty { lines.append("required: \(required.joined(separator: ", "))") }
            lines += objectRules.map(\.description)
        default: break
        }
        return lines + applyOnly
    }

    /// The node at a dotted path below this one (`spec.env`), through lists and maps to their items.
    public func node(at path: [String]) -> SchemaNode? {
        guard let first = path.first else { return self }
        switch shape {
        case .object(let fields, _, _): return fields.first { $0.name == first }?.node.node(at: Array(path.dropFirst()))
        case .list(let item, _), .map(_, let item, _): return item.node(at: path)
        default: return nil
        }
    }
}
