import FleetModel
import Foundation
import Testing

/// Input `apply` once took badly: YAML aliases that expand to gigabytes, NUL bytes and tags the Sandbox
/// API refuses later. Each is refused by the parser with its position, quickly, changing nothing.
@Suite("Manifests: limits")
struct ManifestLimitsTests {
    /// A "billion laughs": ten levels of ten aliases each, 10^9 copies of the first string.
    static func billionLaughs(keyed: Bool = false) -> String {
        var lines = ["apiVersion: porter-fleet/v1", "kind: Sandbox", "name: api", "spec:", "  image: busybox", "  args: &a0 [\"lollollollollollollollollol\"]"]
        for level in 1...9 { lines.append("x\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]") }
        lines.append(keyed ? "? *a9\n: 1" : "command: *a9")
        return lines.joined(separator: "\n") + "\n"
    }

    static func errors(_ text: String) -> [String] {
        do {
            _ = try ManifestParser.parse(text, file: "m.yaml")
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test(arguments: [false, true])
    func aBillionLaughsIsRefusedAtOnceWithItsPosition(keyed: Bool) {
        let started = ContinuousClock.now
        let errors = Self.errors(Self.billionLaughs(keyed: keyed))
        #expect(ContinuousClock.now - started < .milliseconds(500), "refused without expanding")
        #expect(errors.count == 1 && errors.first?.hasPrefix("m.yaml:") == true && errors.first?.contains("at most 1 MiB") == true, "\(errors)")
    }

    @Test func aliasesCountAgainstTheFileLimitAcrossResources() {
        // Each item is under 1 MiB; 100 of them repeat 1 MB each, more than 64 MiB in all.
        let big = String(repeating: "x", count: 1_000_000)
        var text = "- &big {apiVersion: porter-fleet/v1, kind: Volume, name: v0, spec: {}, x: \"\(big)\"}\n"
        for _ in 1..<100 { text += "- *big\n" }
        let errors = Self.errors(text)
        #expect(errors.count == 1 && errors.first?.contains("larger than 64 MiB with its aliases expanded") == true, "\(errors.map { $0.prefix(200) })")
        #expect(errors.first?.hasPrefix("m.yaml:") == true)
    }

    @Test func aResourceOfMoreThanOneMebibyteIsRefused() {
        let errors = Self.errors(ManifestParserTests.full.replacingOccurrences(of: "image: python:3.12-slim", with: "image: python\nx: \"\(String(repeating: "y", count: 1 << 20))\""))
        #expect(errors.contains { $0.contains("this resource is larger than 1 MiB") }, "\(errors.map { $0.prefix(200) })")
    }

    @Test func nulBytesAreRefusedAsTheSandboxAPIWould() {
        let text = "apiVersion: porter-fleet/v1\nkind: Sandbox\nname: api\nspec:\n  image: \"busy\\0box\"\n  command: [\"sh\", \"-c\\0x\"]\n  env: {A: \"x\\0y\"}\n"
        let errors = Self.errors(text)
        #expect(errors.count == 3 && errors.allSatisfy { $0.contains("contains a NUL byte") }, "\(errors)")
        #expect(errors.first?.hasPrefix("m.yaml:5:10:") == true, "\(errors)")
    }

    @Test func tagsAreHeldToTheSandboxAPIsRules() {
        let many = (0..<61).map { "t\($0): v" }.joined(separator: ", ")
        let tooMany = "apiVersion: porter-fleet/v1\nkind: Volume\nname: v\ntags: {\(many)}\n"
        #expect(Self.errors(tooMany).contains { $0.contains("tags: 61 entries given; at most 60") }, "\(Self.errors(tooMany))")
        let sixty = "apiVersion: porter-fleet/v1\nkind: Volume\nname: v\ntags: {\((0..<60).map { "t\($0): v" }.joined(separator: ", "))}\n"
        #expect(Self.errors(sixty).isEmpty)
        for key in ["-a", "a/b/c", "Example.com/x", "a_"] {
            let text = "apiVersion: porter-fleet/v1\nkind: Volume\nname: v\ntags: {\"\(key)\": v}\n"
            #expect(Self.errors(text).contains { $0.contains("tag key") }, "\(key): \(Self.errors(text))")
        }
        let controlValue = "apiVersion: porter-fleet/v1\nkind: Volume\nname: v\ntags: {a: \"x\\ey\"}\n"
        #expect(Self.errors(controlValue).contains { $0.contains("control character") })
        #expect(Self.errors("apiVersion: porter-fleet/v1\nkind: Volume\nname: v\ntags: {example.com/team: ml}\n").isEmpty)
    }
}
