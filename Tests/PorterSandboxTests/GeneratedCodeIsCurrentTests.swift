import Foundation
import Testing

/// The generated client is committed; each file records the SHA-256 of the `docs/openapi.yaml` it came
/// from. This fails when the spec changed without `scripts/generate-openapi` being run.
@Suite("Generated code matches docs/openapi.yaml")
struct GeneratedCodeIsCurrentTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyGeneratedFileRecordsTheCurrentSpecHash() throws {
        let specHash = try sha256(of: Self.root.appendingPathComponent("docs/openapi.yaml"))
        var checked: [String] = []
        for module in ["PorterSandbox", "LocalSandboxAPI"] {
            let generated = Self.root.appendingPathComponent("Sources/\(module)/Generated")
            let files = try FileManager.default.contentsOfDirectory(atPath: generated.path).filter { $0.hasSuffix(".swift") }
            for file in files {
                let text = try String(contentsOf: generated.appendingPathComponent(file), encoding: .utf8)
                let firstLine = text.prefix { $0 != "\n" }
                #expect(firstLine == "// openapi.yaml sha256: \(specHash)", "\(module)/\(file) is stale: run scripts/generate-openapi")
                checked.append(file)
            }
        }
        #expect(checked.contains("Client.swift") && checked.contains("Server.swift") && checked.contains("Types.swift"))
    }

    private func sha256(of file: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        return String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }
}
