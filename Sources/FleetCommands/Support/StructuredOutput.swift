import Foundation
import Yams

/// `-o yaml`: the JSON output as YAML.
enum YAMLOutput {
    /// `value` as YAML, with the keys and values `-o json` has.
    static func string<T: Encodable>(_ value: T) -> String {
        let json = JSONOutput.string(value, pretty: false)
        guard let tree = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) else { return json }
        let options = YAMLEncoder.Options(sortKeys: true)
        let encoder = YAMLEncoder()
        encoder.options = options
        return (try? encoder.encode(tree)) ?? json
    }
}

extension OutputFormat {
    /// `value` as this structured format (JSON or YAML); one document, ending without a newline.
    func render<T: Encodable>(_ value: T, pretty: Bool = true) -> String {
        switch self {
        case .yaml: YAMLOutput.string(value).trimmingCharacters(in: .newlines)
        case .json, .text: JSONOutput.string(value, pretty: pretty)
        }
    }
}

/// Any JSON value: a stored spec passed through unchanged, and `-o yaml` read back from `-o json`.
enum JSONValue: Codable {
    case null
    case bool(Bool)
    case number(Double)
    case integer(Int)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
