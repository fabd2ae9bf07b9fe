import Foundation
import Testing

/// Every invalid manifest of the corpus gets an error naming file, line and column, and changes nothing.
@Suite("Bad input: the invalid-manifest corpus")
struct BadInputCorpusTests {
    /// Fixture → the expected `line:col: message` (a substring of the error line).
    static let corpus: [(String, String)] = [
        ("adopt-not-bool.yaml", "5:10: spec.adopt must be true or false, not a string ('maybe')"),
        ("binary-garbage.yaml", "1:1: the file is not UTF-8 text"),
        ("command-item-number.yaml", "6:20: spec.command[1] must be a string, not a number (5)"),
        ("command-not-a-list.yaml", "6:12: spec.command must be a list of strings"),
        ("dangling-volume.yaml", "7:7: Sandbox/api mounts volume 'shared-dta' at /mnt/data, but no Volume 'shared-dta' is declared (did you mean 'shared-data'?)"),
        ("deletion-policy-unknown.yaml", "5:20: spec.deletion_policy 'destroy' is not one of retain, delete"),
        ("document-is-a-number.yaml", "1:1: manifest must be a mapping, not a number (42)"),
        ("document-is-a-string.yaml", "1:1: manifest must be a mapping, not a string"),
        ("duplicate-in-file.yaml", "9:7: Sandbox/api is declared twice (first at"),
        ("duplicate-key.yaml", "5:3: 'image' is given twice in the same mapping"),
        ("egress-missing-destinations.yaml", "6:11: spec.egress: 'allowed_destinations' is required"),
        ("empty.yaml", "1:1: no manifests: the file is empty"),
        ("env-bad-key.yaml", "6:9: spec.env: '1BAD' must be a variable name: letters, digits and _, not starting with a digit"),
        ("env-not-a-map.yaml", "6:8: spec.env must be a mapping of strings, not a list"),
        ("env-null-value.yaml", "6:12: spec.env.A must be a string, not null"),
        ("huge-value.yaml", "5:10: spec.image is 100000 characters; an image reference has at most 1024"),
        ("image-and-snapshot.yaml", "6:16: spec: give either image or snapshot_id, not both"),
        ("internal-with-domains.yaml", "9:16: spec.networking[0]: internal cannot be combined with domains"),
        ("json-syntax.yaml", "2:1: invalid YAML: did not find expected ',' or '}'"),
        ("json-wrong-type.yaml", "1:87: spec.image must be a string, not a number (5)"),
        ("kind-not-string.yaml", "2:7: kind must be a string, not a list"),
        ("missing-api-version.yaml", "1:1: manifest: 'apiVersion' is required"),
        ("missing-image.yaml", "5:3: spec: 'image' is required"),
        ("missing-kind.yaml", "1:1: manifest: 'kind' is required"),
        ("missing-name.yaml", "1:1: manifest: 'name' is required"),
        ("missing-spec.yaml", "1:1: manifest: 'spec' is required"),
        ("mount-path-dotdot.yaml", "11:19: spec.volume_mounts: '/mnt/../etc' must be an absolute path below / without '..'"),
        ("name-number.yaml", "3:7: name must be a string, not a number (123)"),
        ("name-too-long.yaml", "3:7: name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is 60 characters; a Sandbox name may have at most 55"),
        ("name-underscore.yaml", "3:7: name 'my_api' must be 1–63 lowercase letters"),
        ("name-uppercase.yaml", "3:7: name 'Api' must be 1–63 lowercase letters"),
        ("only-comments.yaml", "1:1: no manifests: the file is empty"),
        ("port-privileged.yaml", "7:13: spec.networking[0].port must be between 1024 and 65535, not 80"),
        ("relative-mount-path.yaml", "11:19: spec.volume_mounts: 'data' must be an absolute path"),
        ("replicas-huge.yaml", "5:13: spec.replicas is too large"),
        ("replicas-negative.yaml", "5:13: spec.replicas must be between 0 and 10000, not -1"),
        ("replicas-string.yaml", "5:13: spec.replicas must be an integer, not a string ('three')"),
        ("resources-unknown-field.yaml", "6:15: spec.resources: unknown field 'cpus' (did you mean 'cpu'?)"),
        ("restart-policy-unknown.yaml", "6:19: spec.restart_policy 'alway' is not one of always, on_failure, never (did you mean 'always'?)"),
        ("set-missing-template.yaml", "5:3: spec: 'template' is required"),
        ("set-name-too-long-for-replicas.yaml", "3:7: name '\(String(repeating: "b", count: 54))' is 54 characters; a SandboxSet name may have at most 53"),
        ("tag-value-too-long.yaml", "4:14: tags.team is 70 characters; a tag value has at most 63 characters"),
        ("tags-reserved-prefix.yaml", "4:8: tags: 'porter-fleet/name' uses the reserved prefix 'porter-fleet/'"),
        ("ttl-float.yaml", "6:16: spec.ttl_seconds must be an integer, not a number (1.5)"),
        ("ttl-zero.yaml", "6:16: spec.ttl_seconds must be between 1 and 315360000, not 0"),
        ("ttl-huge.yaml", "6:16: spec.ttl_seconds must be between 1 and 315360000, not 9223372036854775807"),
        ("two-networking-entries.yaml", "8:7: spec.networking: at most one entry is supported"),
        ("unknown-kind.yaml", "2:7: kind 'Sandbx' is not one of Sandbox, SandboxSet, Volume (did you mean 'Sandbox'?)"),
        ("unknown-spec-field.yaml", "5:3: spec: unknown field 'imgae' (did you mean 'image'?)"),
        ("unknown-top-level-field.yaml", "4:1: manifest: unknown field 'labels'"),
        ("wrong-api-version.yaml", "1:13: apiVersion 'v2' is not supported (use 'porter-fleet/v1')"),
        ("yaml-syntax-bad-indent.yaml", "6:11: invalid YAML: mapping values are not allowed in this context"),
        ("yaml-syntax-unclosed-bracket.yaml", "7:1: invalid YAML: did not find expected ',' or ']'"),
        ("yaml-tab-indent.yaml", "5:1: invalid YAML: found character that cannot start any token"),
    ]

    @Test func theCorpusIsLargeAndComplete() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: CLIHarness.fixture("invalid"))
        #expect(files.count >= 40)
        #expect(Set(files) == Set(Self.corpus.map(\.0)), "every fixture has an expectation")
    }

    @Test(arguments: corpus)
    func invalidManifestIsRefusedWithItsLocation(_ fixture: String, _ expected: String) async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", CLIHarness.fixture("valid/fleet.yaml")).code == 0)
        let before = await cli.export()
        let path = CLIHarness.fixture("invalid/\(fixture)")
        let result = await cli.run("apply", "-f", path)
        #expect(result.code == 1)
        #expect(result.out.isEmpty)
        #expect(result.err.contains("\(path):\(expected)"), "\(result.err)")
        #expect(await cli.export() == before, "the store is unchanged")
    }

    @Test func duplicatesAcrossFilesNameBothPlaces() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let directory = CLIHarness.fixture("duplicate-across-files")
        let result = await cli.run("apply", "-f", directory)
        #expect(result.code == 1)
        #expect(result.err.contains("duplicate-across-files/b.yaml:4:7: Volume/data is declared twice (first at "))
        #expect(result.err.contains("duplicate-across-files/a.yaml:3:7)"))
        #expect(await cli.run("get").out == "No resources in the desired state.\n")
    }

    @Test func oneBadFileStopsTheWholeApply() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", try cli.write("first.yaml", sandboxManifest("first"))).code == 0)
        let before = await cli.export()
        let good = try cli.write("good.yaml", sandboxManifest("good"))
        let result = await cli.run("apply", "-f", good, "-f", CLIHarness.fixture("invalid/ttl-zero.yaml"))
        #expect(result.code == 1)
        #expect(await cli.export() == before, "all or nothing")
        let missing = await cli.run("get", "--db", cli.directory.appendingPathComponent("none.db").path, store: false)
        #expect(missing.code == 1 && missing.err.contains("no such file; run 'porter-fleet apply' first"))
    }
}
