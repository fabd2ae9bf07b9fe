import ArgumentParser
import FleetModel
import Foundation

/// `porter-fleet explain KIND[.field...]`: the manifest format, field by field; `--json-schema` prints the
/// JSON Schema editors validate manifests with (the one published as docs/manifest.schema.json).
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Describe a manifest kind or field (e.g. Sandbox.spec.restart_policy), or print the manifests' JSON Schema.",
        discussion: "Kinds: Sandbox, SandboxSet, Volume (any case). Fields are the names written in manifests."
    )

    @Argument(help: ArgumentHelp("A kind, then field names separated by dots.", valueName: "kind[.field...]"))
    var path: String?

    @Flag(help: "Print the JSON Schema of a manifest document.")
    var jsonSchema = false

    func validate() throws {
        guard jsonSchema || path != nil else { throw ValidationError("give KIND[.field...] (e.g. Sandbox.spec.image) or --json-schema") }
        if let path { _ = try Self.resolve(path) }
    }

    func run() async throws {
        let out = CommandOutput.current
        if jsonSchema {
            out.write(try Self.schemaText())
            return
        }
        guard let path else { return }
        let (name, node) = try Self.resolve(path)
        out.line("\(name): \(node.typeName)")
        out.line("  \(node.summary)")
        if !node.rules.isEmpty {
            out.line("rules (apply checks them all; docs/manifest.schema.json states them):")
            for rule in node.rules { out.line("  - \(rule)") }
        }
        if !node.fields.isEmpty {
            out.line("fields:")
            let width = node.fields.map(\.name.count).max() ?? 0
            for field in node.fields {
                let required = field.isRequired ? " (required)" : ""
                out.line("  \(field.name.padding(toLength: width, withPad: " ", startingAt: 0))   \(field.node.typeName)\(required): \(field.node.summary)")
            }
        }
    }

    /// The node a path names, with the path as written in the output.
    static func resolve(_ path: String) throws -> (String, SchemaNode) {
        let parts = path.split(separator: ".").map(String.init)
        guard let kindWord = parts.first, let kind = ResourceKind.allCases.first(where: { $0.rawValue.lowercased() == kindWord.lowercased() }) else {
            throw ValidationError("'\(path)' does not start with a kind: Sandbox, SandboxSet or Volume")
        }
        guard let node = ManifestSchema.manifest(of: kind).node(at: Array(parts.dropFirst())) else {
            throw ValidationError("\(kind.rawValue) has no field '\(parts.dropFirst().joined(separator: "."))'; see 'porter-fleet explain \(kind.rawValue)'")
        }
        return (([kind.rawValue] + parts.dropFirst()).joined(separator: "."), node)
    }

    /// The JSON Schema as the text of docs/manifest.schema.json.
    static func schemaText() throws -> String {
        let data = try JSONSerialization.data(withJSONObject: ManifestSchema.jsonSchema, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
