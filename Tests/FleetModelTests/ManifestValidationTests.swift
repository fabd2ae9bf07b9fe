import FleetModel
import Testing

/// The rules of docs/manifests.md, as `apply` checks them: each refusal names the field, its line and
/// column; each value the Sandbox API takes is accepted.
@Suite("Manifests: validation rules")
struct ManifestValidationTests {
    static func sandbox(_ spec: String, name: String = "api") -> String {
        "apiVersion: porter-fleet/v1\nkind: Sandbox\nname: \(name)\nspec:\n" + spec.split(separator: "\n").map { "  \($0)\n" }.joined()
    }

    static func errors(_ text: String) -> [String] {
        do {
            _ = try ManifestParser.parse(text, file: "m.yaml")
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test(arguments: [
        ("cpu: 500m", "500m"), ("cpu: 2", "2"), ("cpu: 0.5", "0.5"), ("cpu: '1.5'", "1.5"), ("cpu: 100u", "100u"),
        ("memory: 512Mi", "512Mi"), ("memory: 1Gi", "1Gi"), ("memory: 1G", "1G"), ("memory: 1e9", "1e9"), ("memory: 128974848", "128974848"),
        ("memory: 1.5Gi", "1.5Gi"), ("memory: 1E", "1E"), ("memory: +1k", "+1k"),
    ])
    func kubernetesQuantitiesAreAccepted(_ line: String, _ expected: String) throws {
        let manifests = try ManifestParser.parse(Self.sandbox("image: x\nresources: {\(line)}"), file: "m.yaml")
        let resources = manifests.first?.sandboxTemplate?.resources
        #expect(resources?.cpu == expected || resources?.memory == expected)
    }

    @Test(arguments: [
        ("cpu: lots", "6:20: spec.resources.cpu 'lots' must be a positive Kubernetes quantity"),
        ("memory: 1Zb", "6:23: spec.resources.memory '1Zb' must be a positive Kubernetes quantity"),
        ("cpu: 0", "6:20: spec.resources.cpu '0' must be a positive Kubernetes quantity"),
        ("cpu: -1", "6:20: spec.resources.cpu '-1' must be a positive"),
        ("memory: 1K", "6:23: spec.resources.memory '1K' must be"),
        ("memory: 1e", "6:23: spec.resources.memory '1e' must be"),
        ("cpu: true", "6:20: spec.resources.cpu must be a string, not a boolean (true)"),
        ("cpu: ~", "6:20: spec.resources.cpu must be a string, not null"),
    ])
    func malformedQuantitiesAreRefused(_ line: String, _ expected: String) {
        let errors = Self.errors(Self.sandbox("image: x\nresources: {\(line)}"))
        #expect(errors.count == 1 && errors.first?.hasPrefix("m.yaml:\(expected)") == true, "\(errors)")
    }

    @Test func theImageIsRequiredUnlessASnapshotAndNeverEmpty() throws {
        #expect(Self.errors(Self.sandbox("image: \"\"")) == ["m.yaml:5:10: spec.image must not be empty"])
        #expect(Self.errors(Self.sandbox("snapshot_id: \"\"")) == ["m.yaml:5:16: spec.snapshot_id must not be empty"])
        #expect(Self.errors(Self.sandbox("command: [x]")) == ["m.yaml:5:3: spec: 'image' is required (or 'snapshot_id')"])
        #expect(Self.errors(Self.sandbox("image: x\nsnapshot_id: s")) == ["m.yaml:6:16: spec: give either image or snapshot_id, not both"])
        let snapshot = try ManifestParser.parse(Self.sandbox("snapshot_id: snap-1"), file: "m.yaml")
        #expect(snapshot.first?.sandboxTemplate?.snapshotID == "snap-1" && snapshot.first?.sandboxTemplate?.image == nil)
    }

    @Test func theSandboxAPIsPortsAndNamesAreHeldTo() {
        #expect(Self.errors(Self.sandbox("image: x\nnetworking: [{port: 80}]")) == ["m.yaml:6:23: spec.networking[0].port must be between 1024 and 65535, not 80"])
        #expect(Self.errors(Self.sandbox("image: x\nnetworking: [{port: 1024}]")).isEmpty)
        let setName = String(repeating: "s", count: 62)
        let set = "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: \(setName)\nspec: {replicas: 1, template: {image: x}}\n"
        #expect(Self.errors(set) == ["m.yaml:3:7: name '\(setName)' is 62 characters; a SandboxSet name may have at most 53, leaving room for the fleet's name prefix and the generation suffix"])
        #expect(Self.errors(Self.sandbox("image: x\nvolume_mounts: {data: v}")).first?.hasPrefix("m.yaml:6:19: spec.volume_mounts: 'data' must be an absolute path") == true)
    }

    @Test func scalarsAreTakenAsTextWhereTheAPIWantsText() throws {
        let manifests = try ManifestParser.parse(Self.sandbox("image: x\nenv: {A: 1, B: true, C: 1.5, D: 0x1F}"), file: "m.yaml")
        #expect(manifests.first?.sandboxTemplate?.env == ["A": "1", "B": "true", "C": "1.5", "D": "0x1F"])
    }

    @Test func integersAreNumbersWithNoFraction() throws {
        let whole = try ManifestParser.parse(Self.sandbox("image: x\nttl_seconds: 3600.0"), file: "m.yaml")
        #expect(whole.first?.sandboxTemplate?.ttlSeconds == 3600)
        #expect(Self.errors(Self.sandbox("image: x\nttl_seconds: 1.5")) == ["m.yaml:6:16: spec.ttl_seconds must be an integer, not a number (1.5)"])
        #expect(Self.errors(Self.sandbox("image: x\nttl_seconds: .inf")) == ["m.yaml:6:16: spec.ttl_seconds must be an integer, not a number (.inf)"])
    }

    @Test func explicitYAMLTagsAreReadOrRefusedByName() throws {
        let tagged = try ManifestParser.parse(Self.sandbox("image: !!str 5\nttl_seconds: !!int \"60\""), file: "m.yaml")
        #expect(tagged.first?.sandboxTemplate?.image == "5" && tagged.first?.sandboxTemplate?.ttlSeconds == 60)
        #expect(Self.errors(Self.sandbox("image: !custom x")) == ["m.yaml:5:10: spec.image has the YAML tag '!custom', which is not supported or does not fit 'x'"])
        #expect(Self.errors(Self.sandbox("image: x\nttl_seconds: !!int ten")).first?.contains("the YAML tag 'tag:yaml.org,2002:int'") == true)
    }

    @Test func badInputNamesEveryFieldInFileOrder() {
        let text = Self.sandbox("image: \"\"\nnetworking: [{port: 80, internal: true, domains: [{domain: a.example}]}]\nresources: {cpu: lots}\nenv: {1A: x}")
        let errors = Self.errors(text)
        #expect(errors.map { $0.split(separator: ":").prefix(3).joined(separator: ":") } == ["m.yaml:5:10", "m.yaml:6:23", "m.yaml:6:52", "m.yaml:7:20", "m.yaml:8:9"], "\(errors)")
    }
}
