import Foundation
import Testing

@testable import FleetModel

/// Large files are read in two halves at once: the result, positions included, is what one pass gives.
@Suite("Reading a large manifest file in halves")
struct ManifestParserHalvesTests {
    static func document(_ index: Int) -> String {
        """
        apiVersion: porter-fleet/v1
        kind: Sandbox
        name: sandbox-\(index)
        tags: {shard: "\(index % 7)"}
        spec:
          image: python:3.12-slim
          command: ["sleep", "infinity"]
          env: {INDEX: "\(index)"}

        """
    }

    static let text = (0..<3_000).map(document).joined(separator: "---\n")

    @Test func theHalvesGiveWhatOnePassGives() throws {
        #expect(Self.text.utf8.count >= ManifestParser.parallelThreshold)
        let (first, second, lines) = try #require(ManifestParser.halves(of: Self.text))
        #expect(second.hasPrefix("---\n") && first + second == Self.text && lines == first.filter { $0 == "\n" }.count)
        let parallel = try ManifestParser.parse(Self.text, file: "big.yaml")
        let whole = try ManifestParser.parseWhole(Self.text, file: "big.yaml")
        #expect(parallel == whole)
        #expect(parallel.count == 3_000 && parallel[2_999].location.line == whole[2_999].location.line)
    }

    @Test func anErrorInTheSecondHalfIsReportedAsOnePassReportsIt() throws {
        let broken = Self.text + "---\napiVersion: porter-fleet/v1\nkind: Sandbox\nname: late\nspec: {image: x, comand: [a]}\n"
        var parallelErrors: [String] = []
        var wholeErrors: [String] = []
        do { _ = try ManifestParser.parse(broken, file: "big.yaml") } catch { parallelErrors = error.errors.map(\.description) }
        do { _ = try ManifestParser.parseWhole(broken, file: "big.yaml") } catch { wholeErrors = error.errors.map(\.description) }
        #expect(!parallelErrors.isEmpty && parallelErrors == wholeErrors)
        let line = broken.components(separatedBy: "\n").firstIndex { $0.contains("comand") }.map { $0 + 1 } ?? 0
        #expect(parallelErrors.first?.hasPrefix("big.yaml:\(line):") == true, "\(parallelErrors)")
    }

    @Test func aTextWithoutDocumentMarkersIsReadInOnePass() {
        #expect(ManifestParser.halves(of: "[" + String(repeating: "{\"kind\": \"Volume\"},\n", count: 20_000) + "]") == nil)
        #expect(ManifestParser.halves(of: "a: |\n  ---\n  text\n" + String(repeating: "b: 1\n", count: 10)) == nil, "an indented --- is content")
    }
}
