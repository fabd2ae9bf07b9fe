import FleetCommands
import Foundation
import Testing

/// docs/cli.md stays true to the commands: every command and every option `--help` shows is documented.
@Suite("docs/cli.md matches --help")
struct CLIDocumentationTests {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/cli.md")

    static let commands: [[String]] = [
        ["apply"], ["diff"], ["delete"], ["get"], ["export"], ["scale"], ["edit"], ["settings"], ["plan"], ["reconcile"], ["run"], ["up"],
        ["status"], ["events"], ["gc"], ["exec"], ["logs"], ["dashboard"], ["store", "info"], ["store", "copy"], ["doctor"],
        ["explain"], ["local", "serve"], ["version"], ["fleets"],
    ]

    @Test func everySubcommandIsListedHere() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let help = await cli.run(["--help"]).out
        let listed = help.components(separatedBy: "SUBCOMMANDS:").last?.split(separator: "\n").compactMap { line -> String? in
            let word = line.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init)
            return line.hasPrefix("  ") && !line.hasPrefix("          ") ? word : nil
        } ?? []
        #expect(Set(listed.filter { $0 != "See" }) == Set(Self.commands.map { $0[0] }))
    }

    @Test(arguments: commands)
    func commandAndItsOptionsAreDocumented(_ command: [String]) async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        let help = await cli.run(command + ["--help"])
        #expect(help.code == 0)
        #expect(text.contains("## \(command.joined(separator: " "))") || text.contains("### \(command.joined(separator: " "))")
            || text.contains("### \(command[0]) and") || text.contains("and \(command[0])"), "no section for \(command)")
        let options = Set(help.out.matches(of: /--[a-z][a-z-]+/).map { String($0.output) }).subtracting(["--help", "--version"])
        for option in options.sorted() {
            #expect(text.contains(option), "\(command.joined(separator: " ")) \(option) is not in docs/cli.md")
        }
    }

    /// docs/manifest.schema.json is what `explain --json-schema` prints: regenerate it with
    /// `porter-fleet explain --json-schema > docs/manifest.schema.json`.
    @Test func thePublishedSchemaIsCurrent() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let published = try String(contentsOf: Self.document.deletingLastPathComponent().appendingPathComponent("manifest.schema.json"), encoding: .utf8)
        let generated = await cli.run(["explain", "--json-schema"])
        #expect(generated.code == 0 && generated.out == published, "docs/manifest.schema.json is stale")
        let field = await cli.run(["explain", "sandboxset.spec.template.restart_policy"])
        #expect(field.out.hasPrefix("SandboxSet.spec.template.restart_policy: one of always, on_failure, never\n"), "\(field.out)")
        let quantity = await cli.run(["explain", "Sandbox.spec.resources.cpu"])
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        #expect(text.contains("$ porter-fleet explain Sandbox.spec.resources.cpu\n" + quantity.out), "the example of docs/cli.md is what explain prints")
        let unknown = await cli.run(["explain", "Volume.spec.color"])
        #expect(unknown.code == 64 && unknown.err.contains("Volume has no field 'spec.color'"))
    }
}
