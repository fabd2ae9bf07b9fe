import WireFormats

extension SchemaNode {
    /// The node as JSON Schema (draft 2020-12), as a JSON-compatible value: every rule of the node that
    /// JSON Schema can express, and the description stating the ones it cannot (``applyOnly``).
    public var jsonSchema: [String: any Sendable] {
        var schema: [String: any Sendable] = ["description": jsonDescription]
        switch shape {
        case .anything: break
        case .string(let constraints):
            schema["type"] = "string"
            constraints.addJSONSchema(to: &schema)
        case .text(let constraints, let numbers, let booleans):
            var types = ["string"]
            switch numbers {
            case .refused: break
            case .any: types.append("number")
            case .positive:
                types.append("number")
                schema["exclusiveMinimum"] = 0
            }
            if booleans { types.append("boolean") }
            schema["type"] = types
            constraints.addJSONSchema(to: &schema)
        case .integer(let range):
            schema["type"] = "integer"
            schema["minimum"] = range.lowerBound
            schema["maximum"] = range.upperBound
        case .boolean:
            schema["type"] = "boolean"
        case .choice(let values):
            schema["type"] = "string"
            schema["enum"] = values
        case .list(let item, let maxItems):
            schema["type"] = "array"
            schema["items"] = item.jsonSchema
            if let maxItems { schema["maxItems"] = maxItems }
        case .map(let keys, let values, let maxEntries):
            schema["type"] = "object"
            schema["propertyNames"] = ["pattern": keys.pattern]
            schema["additionalProperties"] = values.jsonSchema
            if let maxEntries { schema["maxProperties"] = maxEntries }
        case .object(let fields, let rules, let nullable):
            precondition(!nullable || rules.isEmpty, "the rules of a nullable object would refuse null")
            schema["type"] = nullable ? ["object", "null"] : "object"
            var properties: [String: any Sendable] = [:]
            for field in fields { properties[field.name] = field.node.jsonSchema }
            schema["properties"] = properties
            schema["additionalProperties"] = false
            let required = fields.filter(\.isRequired).map(\.name)
            if !required.isEmpty { schema["required"] = required }
            let ruleSchemas = rules.map(\.jsonSchema)
            if ruleSchemas.count == 1 {
                schema.merge(ruleSchemas[0]) { current, _ in current }
            } else if !ruleSchemas.isEmpty {
                schema["allOf"] = ruleSchemas
            }
        }
        return schema
    }

    /// The summary, then the rules only `apply` checks.
    var jsonDescription: String {
        guard !applyOnly.isEmpty else { return summary }
        return summary + " Checked by porter-fleet apply, beyond this schema: " + applyOnly.joined(separator: "; ") + "."
    }
}

extension StringConstraints {
    /// Adds the constraints to a JSON Schema of type string (or of several types, where they hold the strings).
    func addJSONSchema(to schema: inout [String: any Sendable]) {
        if minimumLength > 0 { schema["minLength"] = minimumLength }
        if let maximumLength { schema["maxLength"] = maximumLength }
        schema["pattern"] = rule.pattern
    }
}

extension ObjectRule {
    /// The rule as JSON Schema keywords of the object it applies to.
    var jsonSchema: [String: any Sendable] {
        switch self {
        case .exactlyOne(let first, let second):
            return ["oneOf": [["required": [first]], ["required": [second]]] as [[String: any Sendable]]]
        case .flagExcludesList(let flag, let list):
            let both: [String: any Sendable] = [
                "required": [flag, list],
                "properties": [flag: ["const": true], list: ["minItems": 1]] as [String: [String: any Sendable]],
            ]
            return ["not": both]
        }
    }
}
