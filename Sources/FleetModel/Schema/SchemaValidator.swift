import WireFormats
import Yams

/// Checks a YAML node against a ``SchemaNode`` (the description the JSON Schema is generated from),
/// collecting every problem with its line and column instead of stopping at the first.
struct SchemaValidator {
    let file: String
    private(set) var errors: [ManifestError] = []

    init(file: String) { self.file = file }

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
    }

    mutating func fail(_ node: Node, _ message: String) {
        errors.append(ManifestError(location(node), message))
    }

    /// Checks `node`, found at `path`, against `schema`.
    mutating func validate(_ node: Node, against schema: SchemaNode, at path: FieldPath) {
        // The type of a scalar is read once: it is what most checks look at first.
        var scalar: (value: Node.Scalar, kind: ScalarKind)?
        if case .scalar(let value) = node { scalar = (value, ScalarKind(value)) }
        if let problem = Self.tagProblem(node, kind: scalar?.kind) {
            fail(node, "\(path) \(problem)")
            return
        }
        switch schema.shape {
        case .anything: return
        case .string(let constraints):
            guard let scalar, scalar.kind == .string else { return mismatch(node, path, "a string") }
            check(scalar.value.string, constraints, node, path)
        case .text(let constraints, let numbers, let booleans):
            guard let scalar else { return mismatch(node, path, "a string") }
            switch scalar.kind {
            case .string: break
            case .integer, .float: if case .refused = numbers { return mismatch(node, path, "a string") }
            case .boolean: if !booleans { return mismatch(node, path, "a string") }
            case .null, .unsupportedTag: return mismatch(node, path, "a string")
            }
            check(scalar.value.string, constraints, node, path)
        case .integer(let range):
            guard let scalar, let reading = ScalarKind.integerReading(scalar.value.string, kind: scalar.kind) else { return mismatch(node, path, "an integer") }
            integer(reading, scalar.value.string, range, node, path)
        case .boolean:
            guard let scalar, scalar.kind == .boolean else { return mismatch(node, path, "true or false") }
        case .choice(let values):
            guard let scalar, scalar.kind == .string else { return mismatch(node, path, "a string") }
            choice(scalar.value.string, values, node, path)
        case .list(let item, let maxItems): list(node, item, maxItems, path)
        case .map(let keys, let values, let maxEntries): map(node, keys, values, maxEntries, path)
        case .object(let fields, let rules, let nullable):
            if nullable, scalar?.kind == .null { return }
            object(node, fields, rules, path)
        }
    }

    private mutating func mismatch(_ node: Node, _ path: FieldPath, _ expected: String) {
        fail(node, "\(path) must be \(expected), not \(Self.describe(node))")
    }

    private mutating func check(_ text: String, _ constraints: StringConstraints, _ node: Node, _ path: FieldPath) {
        if let problem = constraints.problem(with: text) { fail(node, "\(path) \(problem)") }
    }

    private mutating func integer(_ reading: ScalarKind.IntegerReading, _ text: String, _ range: ClosedRange<Int>, _ node: Node, _ path: FieldPath) {
        switch reading {
        case .fraction: mismatch(node, path, "an integer")
        case .tooLarge: fail(node, "\(path) is too large: \(text)")
        case .value(let value):
            if !range.contains(value) { fail(node, "\(path) must be between \(range.lowerBound) and \(range.upperBound), not \(value)") }
        }
    }

    private mutating func choice(_ value: String, _ values: [String], _ node: Node, _ path: FieldPath) {
        guard !values.contains(value) else { return }
        if values.count == 1 {
            fail(node, "\(path) \(Self.quoted(value)) is not supported (use '\(values[0])')")
        } else {
            fail(node, "\(path) \(Self.quoted(value)) is not one of \(values.joined(separator: ", "))\(NameSuggestion.hint(for: value, in: values))")
        }
    }

    private mutating func list(_ node: Node, _ item: SchemaNode, _ maxItems: Int?, _ path: FieldPath) {
        guard case .sequence(let sequence) = node else {
            return mismatch(node, path, item.isTextual ? "a list of strings" : "a list")
        }
        for (index, element) in sequence.enumerated() { validate(element, against: item, at: path.item(index)) }
        if let maxItems, sequence.count > maxItems {
            let limit = maxItems == 1 ? "one entry is" : "\(maxItems) entries are"
            fail(sequence[maxItems], "\(path): at most \(limit) supported")
        }
    }

    private mutating func map(_ node: Node, _ keys: TextRule, _ values: SchemaNode, _ maxEntries: Int?, _ path: FieldPath) {
        guard case .mapping(let mapping) = node else {
            return mismatch(node, path, values.isTextual ? "a mapping of strings" : "a mapping")
        }
        var seen: Set<String> = []
        for (key, value) in mapping {
            guard let name = keyText(key, path) else { continue }
            guard seen.insert(name).inserted else {
                fail(key, "\(path): \(Self.quoted(name)) is given twice")
                continue
            }
            if let problem = keys.problem(with: name) { fail(key, "\(path): \(problem)") }
            validate(value, against: values, at: path.field(name))
        }
        if let maxEntries, mapping.count > maxEntries {
            fail(node, "\(path): \(mapping.count) entries given; at most \(maxEntries)")
        }
    }

    private mutating func object(_ node: Node, _ fields: [SchemaField], _ rules: [ObjectRule], _ path: FieldPath) {
        guard case .mapping(let mapping) = node else { return mismatch(node, path, "a mapping") }
        var present: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = keyText(key, path) else { continue }
            guard present[name] == nil else {
                fail(key, "\(path): \(Self.quoted(name)) is given twice")
                continue
            }
            guard let field = fields.first(where: { $0.name == name }) else {
                fail(key, "\(path): unknown field \(Self.quoted(name))\(NameSuggestion.hint(for: name, in: fields.map(\.name)))")
                continue
            }
            present[name] = value
            validate(value, against: field.node, at: path.field(name))
        }
        for field in fields where field.isRequired && present[field.name] == nil {
            fail(node, "\(path): '\(field.name)' is required")
        }
        for rule in rules {
            switch rule {
            case .exactlyOne(let first, let second):
                if present[first] == nil && present[second] == nil { fail(node, "\(path): '\(first)' is required (or '\(second)')") }
                if present[first] != nil, let given = present[second] { fail(given, "\(path): give either \(first) or \(second), not both") }
            case .flagExcludesList(let flag, let list):
                if case .scalar(let scalar)? = present[flag], ScalarKind(scalar) == .boolean, ScalarKind.trueWords.contains(scalar.string),
                    let given = present[list], case .sequence(let entries) = given, !entries.isEmpty
                {
                    fail(given, "\(path): \(flag) cannot be combined with \(list)")
                }
            }
        }
    }

    /// The text of a mapping key (a scalar other than null), or nil after reporting why not.
    private mutating func keyText(_ key: Node, _ path: FieldPath) -> String? {
        let kind: ScalarKind? = if case .scalar(let scalar) = key { ScalarKind(scalar) } else { nil }
        if let problem = Self.tagProblem(key, kind: kind) {
            fail(key, "\(path): a key \(problem)")
            return nil
        }
        guard case .scalar(let scalar) = key, kind != .null else {
            fail(key, "\(path): keys must be strings, not \(Self.describe(key))")
            return nil
        }
        return scalar.string
    }

    /// Why a node's explicit YAML tag is refused, or nil: only the core schema's tags are read, and only
    /// where they fit (`!!int 5`, `!!str 5`, `!!map {…}`).
    static func tagProblem(_ node: Node, kind: ScalarKind?) -> String? {
        switch node {
        case .scalar(let scalar):
            guard kind == .unsupportedTag else { return nil }
            return "has the YAML tag '\(scalar.tag.description)', which is not supported or does not fit \(quoted(scalar.string))"
        case .mapping(let mapping):
            let tag = mapping.tag.description
            return ["", "!", "tag:yaml.org,2002:map"].contains(tag) ? nil : "has the YAML tag '\(tag)', which a mapping cannot have"
        case .sequence(let sequence):
            let tag = sequence.tag.description
            return ["", "!", "tag:yaml.org,2002:seq"].contains(tag) ? nil : "has the YAML tag '\(tag)', which a list cannot have"
        case .alias: return nil
        }
    }

    /// A value as messages describe it: "a list", "a number (5)", "a string ('x')".
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            switch ScalarKind(scalar) {
            case .null: return "null"
            case .integer, .float: return "a number (\(scalar.string))"
            case .boolean: return "a boolean (\(scalar.string))"
            case .string, .unsupportedTag: return "a string (\(quoted(scalar.string)))"
            }
        case .alias: return "an alias"
        }
    }

    static func quoted(_ text: String) -> String { TextRule.quoted(text) }
}
