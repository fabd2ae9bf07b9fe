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
        ["status"], ["events"], ["gc"], ["exec"], ["logs"], ["doctor"], ["local", "serve"], ["version"],
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
}
