import Foundation
import Testing
import WireFormats

@testable import FleetModel

/// The manifest description that `apply` validates by, `explain` prints and the JSON Schema is generated
/// from names every field the model reads, and nothing else; the patterns it publishes mean what its Swift
/// checks do.
@Suite("Manifest schema")
struct ManifestSchemaTests {
    @Test func everyFieldOfTheModelIsDescribed() throws {
        func names(_ node: SchemaNode?) -> Set<String> { Set((node?.fields ?? []).map(\.name)) }
        let template = ManifestSchema.sandboxTemplate
        #expect(names(template) == Set(SandboxTemplate.CodingKeys.allCases.map(\.stringValue)))
        #expect(names(template.node(at: ["networking"])) == Set(SandboxTemplate.Networking.CodingKeys.allCases.map(\.stringValue)))
        #expect(names(template.node(at: ["networking", "domains"])) == Set(SandboxTemplate.Networking.Domain.CodingKeys.allCases.map(\.stringValue)))
        #expect(names(template.node(at: ["egress"])) == Set(SandboxTemplate.Egress.CodingKeys.allCases.map(\.stringValue)))
        #expect(names(template.node(at: ["resources"])) == Set(SandboxTemplate.Resources.CodingKeys.allCases.map(\.stringValue)))
        #expect(names(ManifestSchema.spec(of: .volume)) == Set(VolumeSpecification.CodingKeys.allCases.map(\.stringValue)))
        #expect(names(ManifestSchema.spec(of: .sandboxSet)) == Set(SandboxSetSpec.CodingKeys.allCases.map(\.stringValue)))
        for kind in ResourceKind.allCases {
            #expect(names(ManifestSchema.manifest(of: kind)) == Set(Manifest.EnvelopeKeys.allCases.map(\.stringValue)))
        }
    }

    @Test func fieldsAreFoundByPathThroughListsAndMaps() {
        #expect(ManifestSchema.manifest(of: .sandbox).node(at: ["spec", "networking", "port"])?.typeName == "integer (1024…65535)")
        #expect(ManifestSchema.manifest(of: .sandboxSet).node(at: ["spec", "template", "image"]) != nil)
        #expect(ManifestSchema.manifest(of: .volume).node(at: ["spec", "image"]) == nil)
        #expect(ManifestSchema.manifest(of: .sandbox).node(at: ["spec", "resources", "cpu"])?.rules.contains { $0.contains("Kubernetes quantity") } == true)
    }

    /// Every text rule the schema publishes, with where it is used.
    static var publishedRules: [(String, TextRule)] {
        var rules: [(String, TextRule)] = []
        func collect(_ node: SchemaNode, _ path: String) {
            switch node.shape {
            case .string(let constraints), .text(let constraints, _, _): rules.append((path, constraints.rule))
            case .list(let item, _): collect(item, path + "[]")
            case .map(let keys, let values, _):
                rules.append((path + " keys", keys))
                collect(values, path + ".*")
            case .object(let fields, _, _): for field in fields { collect(field.node, path + "." + field.name) }
            default: break
            }
        }
        for kind in ResourceKind.allCases { collect(ManifestSchema.manifest(of: kind), kind.rawValue) }
        rules.append(("tag keys of the Sandbox API", SandboxTagRules.key))
        return rules
    }

    /// Strings around the edges of every rule: every string of up to three characters over an alphabet of
    /// the characters the rules treat apart, and longer ones at their limits.
    static let samples: [String] = {
        let alphabet = ["a", "Z", "0", "5", "-", ".", "_", "/", "+", "e", "E", "i", "m", "K", "\n", "\r", "\u{0}", "\u{1F}", "é", "\u{301}", " ", "\u{2028}"]
        var samples = [""]
        var level = [""]
        for _ in 1...3 {
            level = level.flatMap { prefix in alphabet.map { prefix + $0 } }
            samples += level
        }
        let label = String(repeating: "a", count: 61)
        samples += [
            "a" + label + "b", "a" + label + "bc", "abc\n", "abc\r\n", "abc\u{2028}",
            "/mnt/data", "/mnt/../etc", "/..", "/../", "/a/..", "/a/...", "/a..b/", "//", "/", "/a\n", "/a/\u{0}", "data", "/\u{301}..",
            "500m", "2", "0.5", "512Mi", "1Gi", "1G", "1e9", "1E9", "1e+9", "1e-3", "1E", "1Ei", "1e", "1ei", "0", "0.0", "0m", "+1", "-1",
            ".5", "5.", ".", "1.5.", "1Zb", "lots", "1k", "1K", "1Ki", "1.5Gi", "0e5", "00.1", "1u", "1n", "1 ", " 1", "1M\n",
            "porter-fleet/name", "porter-fleet", "example.com/team", "Example.com/x", "a..b/c", "a/b/c", "-a", "a_", "x/",
            String(repeating: "a", count: 63) + "/x", String(repeating: "a.", count: 126) + "a/x", String(repeating: "a.", count: 127) + "a/x",
            "a/" + String(repeating: "b", count: 63), "a/" + String(repeating: "b", count: 64), "LOG_LEVEL", "_X", "1BAD", "A-B",
        ]
        return samples
    }()

    @Test func everyPublishedPatternMeansWhatItsCheckDoes() throws {
        var seen: Set<String> = []
        for (place, rule) in Self.publishedRules where seen.insert(rule.pattern + rule.requirement).inserted {
            // JSON Schema's dialect is ECMA-262; ICU with Unix line separators reads these patterns the same way
            // (lookaheads, \u escapes, and `$(?!\n)` for the end of the text).
            let regex = try NSRegularExpression(pattern: rule.pattern, options: [.useUnixLineSeparators])
            var disagreements: [String] = []
            for sample in Self.samples {
                let range = NSRange(sample.startIndex..., in: sample)
                let matches = regex.firstMatch(in: sample, range: range) != nil
                if matches != rule.matches(sample) { disagreements.append(sample.debugDescription) }
            }
            #expect(disagreements.isEmpty, "\(place): the pattern and the check disagree on \(disagreements.prefix(10))")
        }
    }
}
