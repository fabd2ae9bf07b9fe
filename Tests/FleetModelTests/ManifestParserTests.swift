import FleetModel
import Foundation
import Testing

@Suite("Manifests: parsing, rules, canonical JSON and spec hashes")
struct ManifestParserTests {
    static let full = """
        apiVersion: porter-fleet/v1
        kind: Sandbox
        name: api
        tags: {team: ml, tier: web}
        spec:
          image: python:3.12-slim
          command: ["python", "-m", "http.server", "8080"]
          args: ["--bind", "0.0.0.0"]
          env: {LOG_LEVEL: info, PORT: 8080, DEBUG: true}
          env_groups: [shared]
          volume_mounts: {/mnt/data: shared-data}
          networking:
            - port: 8080
              domains: [{domain: api.example.com, visibility: private}]
          egress: {allowed_destinations: ["*.pypi.org", "10.0.0.0/8"]}
          resources: {cpu: 1, memory: 512Mi}
          ttl_seconds: 3600
          restart_policy: on_failure
        """

    @Test func everyFieldIsRead() throws {
        let manifests = try ManifestParser.parse(Self.full, file: "full.yaml")
        let manifest = try #require(manifests.first)
        #expect(manifest.kind == .sandbox && manifest.name == "api" && manifest.tags == ["team": "ml", "tier": "web"])
        #expect(manifest.location == SourceLocation(file: "full.yaml", line: 3, column: 7))
        guard case .sandbox(let template) = manifest.spec else {
            Issue.record("not a sandbox")
            return
        }
        #expect(template.image == "python:3.12-slim")
        #expect(template.command == ["python", "-m", "http.server", "8080"] && template.args == ["--bind", "0.0.0.0"])
        #expect(template.env == ["LOG_LEVEL": "info", "PORT": "8080", "DEBUG": "true"], "scalar env values are taken as text")
        #expect(template.envGroups == ["shared"] && template.volumeMounts == ["/mnt/data": "shared-data"])
        #expect(template.networking == [.init(port: 8080, domains: [.init(domain: "api.example.com", visibility: "private")])])
        #expect(template.egress?.allowedDestinations == ["*.pypi.org", "10.0.0.0/8"])
        #expect(template.resources == .init(cpu: "1", memory: "512Mi"))
        #expect(template.ttlSeconds == 3600 && template.restartPolicy == .onFailure)
    }

    @Test func jsonAndYAMLGiveTheSameManifest() throws {
        let yaml = try ManifestParser.parse("apiVersion: porter-fleet/v1\nkind: Volume\nname: data\nspec: {deletion_policy: delete}\n", file: "v.yaml")
        let json = try ManifestParser.parse(#"{"apiVersion": "porter-fleet/v1", "kind": "Volume", "name": "data", "spec": {"deletion_policy": "delete"}}"#, file: "v.json")
        #expect(yaml.map(\.spec) == json.map(\.spec))
        #expect(try yaml[0].specHash == json[0].specHash)
        let list = try ManifestParser.parse(#"[{"apiVersion": "porter-fleet/v1", "kind": "Volume", "name": "a"}, {"apiVersion": "porter-fleet/v1", "kind": "Volume", "name": "b"}]"#, file: "l.json")
        #expect(list.map(\.name) == ["a", "b"])
    }

    @Test func multipleErrorsAreAllReported() {
        let text = "apiVersion: porter-fleet/v1\nkind: Sandbox\nname: api\nspec:\n  image: 1\n  ttl_seconds: 0\n  wat: 1\n"
        let errors = #expect(throws: ManifestErrors.self) { try ManifestParser.parse(text, file: "m.yaml") }
        #expect(errors?.errors.map { "\($0.location.line):\($0.location.column)" } == ["5:10", "6:16", "7:3"], "in file order")
    }

    @Test func specHashIgnoresKeyOrderAndWhitespaceButNotValues() throws {
        let a = try ManifestParser.parse("apiVersion: porter-fleet/v1\nkind: Sandbox\nname: x\nspec: {image: i, env: {A: '1', B: '2'}}\n", file: "a")[0]
        let b = try ManifestParser.parse("apiVersion: porter-fleet/v1\nkind: Sandbox\nname: x\nspec:\n  env:\n    B: '2'\n    A: '1'\n  image: i\n", file: "b")[0]
        let c = try ManifestParser.parse("apiVersion: porter-fleet/v1\nkind: Sandbox\nname: x\nspec: {image: i, env: {A: '1', B: '3'}}\n", file: "c")[0]
        let d = try ManifestParser.parse("apiVersion: porter-fleet/v1\nkind: Sandbox\nname: x\ntags: {t: v}\nspec: {image: i, env: {A: '1', B: '2'}}\n", file: "d")[0]
        #expect(try a.specHash == b.specHash)
        #expect(try a.specHash != c.specHash)
        #expect(try a.specHash != d.specHash, "tags are part of what is created")
        #expect(try a.specHash.count == 16 && a.specHash.allSatisfy(\.isHexDigit))
        #expect(try a.specJSON == #"{"env":{"A":"1","B":"2"},"image":"i"}"#)
    }

    @Test func canonicalJSONAndHashAreStable() throws {
        struct Sample: Encodable {
            var zeta = 1
            var alpha = "/path"
            var missing: String? = nil
        }
        #expect(try CanonicalJSON.string(Sample()) == #"{"alpha":"/path","zeta":1}"#)
        #expect(SpecHash.hash(of: Data("abc".utf8)) == "ba7816bf8f01cfea", "SHA-256 of 'abc'")
    }

    @Test(arguments: [
        (ResourceKind.sandbox, "", 1, 55), (.sandbox, "prod-", 1, 50), (.volume, "", 1, 63), (.volume, "prod-", 1, 58),
        (.sandboxSet, "", 1, 53), (.sandboxSet, "", 10, 53), (.sandboxSet, "", 100, 52), (.sandboxSet, "p-", 10_000, 48),
    ])
    func nameLengthLeavesRoomForSuffixes(_ kind: ResourceKind, _ prefix: String, _ replicas: Int, _ expected: Int) {
        #expect(ManifestRules.maximumNameLength(kind: kind, namePrefix: prefix, replicas: replicas) == expected)
    }

    @Test(arguments: [
        ("imgae", "image"), ("comand", "command"), ("volume_mount", "volume_mounts"), ("restartPolicy", "restart_policy"), ("xyz", nil),
    ] as [(String, String?)])
    func suggestions(_ typo: String, _ expected: String?) {
        #expect(NameSuggestion.closest(to: typo, in: SandboxTemplate.fieldNames) == expected)
    }

    @Test func setNamesAreValidatedWithThePrefix() throws {
        let manifests = try ManifestParser.parse(
            "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: \(String(repeating: "a", count: 50))\nspec: {replicas: 2, template: {image: i}}\n",
            file: "s.yaml")
        #expect(ManifestSetValidation.problems(in: manifests).isEmpty)
        let problems = ManifestSetValidation.problems(in: manifests, namePrefix: "team-")
        #expect(problems.first?.message.contains("at most 48") == true)
    }
}

@Suite("YAML scalar types (YAML 1.2 core schema)")
struct ScalarTypeTests {
    @Test(arguments: [
        ("replicas: 3", "3"), ("replicas: '3'", "string"), ("replicas: +7", "7"), ("replicas: 0x1F", "31"), ("replicas: 0o17", "15"),
        ("replicas: 3.5", "number"), ("replicas: 1e3", "1000"), ("replicas: 3.0", "3"), ("replicas: .inf", "number"), ("replicas: true", "boolean"),
        ("replicas: yes", "string"), ("replicas: ~", "null"), ("replicas:", "null"), ("replicas: \"7\"", "string"), ("replicas: 3a", "string"),
    ])
    func integersAreTypedByTheirText(_ line: String, _ expected: String) {
        let text = "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: s\nspec:\n  \(line)\n  template: {image: i}\n"
        do {
            let manifests = try ManifestParser.parse(text, file: "s.yaml")
            guard case .sandboxSet(let set) = manifests[0].spec else {
                Issue.record("not a set")
                return
            }
            #expect(String(set.replicas) == expected)
        } catch {
            let message = error.errors.first?.message ?? ""
            #expect(message.contains(expected == "number" ? "a number" : expected == "boolean" ? "a boolean" : expected == "null" ? "null" : "a string"), "\(message)")
        }
    }
}
