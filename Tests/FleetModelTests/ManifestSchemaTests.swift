import Testing

@testable import FleetModel

/// The manifest description that `explain` and the JSON Schema come from names every field the model
/// reads, and nothing else.
@Suite("Manifest schema")
struct ManifestSchemaTests {
    @Test func everyFieldOfTheModelIsDescribed() {
        let template = Set(ManifestSchema.sandboxTemplate.fields.map(\.name))
        #expect(template == Set(SandboxTemplate.CodingKeys.allCases.map(\.stringValue)))
        let volume = Set(ManifestSchema.spec(of: .volume).fields.map(\.name))
        #expect(volume == Set(VolumeSpecification.CodingKeys.allCases.map(\.stringValue)))
        #expect(Set(ManifestSchema.spec(of: .sandboxSet).fields.map(\.name)) == ["replicas", "template"])
    }

    @Test func fieldsAreFoundByPathThroughListsAndMaps() {
        #expect(ManifestSchema.manifest(of: .sandbox).node(at: ["spec", "networking", "port"])?.typeName == "integer (1…65535)")
        #expect(ManifestSchema.manifest(of: .sandboxSet).node(at: ["spec", "template", "image"]) != nil)
        #expect(ManifestSchema.manifest(of: .volume).node(at: ["spec", "image"]) == nil)
    }
}
