import Testing

@testable import FleetCommands

@Suite("Colour only for people at a terminal")
struct ColourTests {
    static let terminal = CommandOutput(out: { _ in }, err: { _ in }, isTerminal: true)
    static let pipe = CommandOutput(out: { _ in }, err: { _ in }, isTerminal: false)

    @Test(arguments: [
        (true, [String: String](), true), (true, ["NO_COLOR": "1"], false), (true, ["NO_COLOR": ""], false),
        (true, ["TERM": "dumb"], false), (false, [:], false),
    ])
    func policy(_ isTerminal: Bool, _ environment: [String: String], _ expected: Bool) {
        #expect(Colour.enabled(for: isTerminal ? Self.terminal : Self.pipe, environment: environment) == expected)
    }

    @Test func paintWrapsInEscapesOnlyWhenEnabled() {
        #expect(Colour.green.paint("ok", enabled: true) == "\u{1B}[32mok\u{1B}[0m")
        #expect(Colour.green.paint("ok", enabled: false) == "ok")
        #expect(Colour.forHealth(.backoff) == .red && Colour.forHealth(.healthy) == .green && Colour.forHealth(.missing) == .yellow)
    }

    @Test func commandsWritingToAPipeAreNeverColoured() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", try cli.write("a.yaml", sandboxManifest("a"))).code == 0)
        let status = await cli.run("status")
        #expect(!status.out.contains("\u{1B}["))
    }
}
