import ArgumentParser
import Foundation
import PorterSandbox

/// `porter-fleet version`: the versions of porter-fleet and its Sandbox API SDK.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the versions of porter-fleet and of its Sandbox API SDK."
    )

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    func run() throws {
        switch output {
        case .text:
            print("porter-fleet \(PorterFleetVersion.current) (PorterSandbox SDK \(PorterSandboxVersion.current))")
        case .json:
            let object = ["porter_fleet": PorterFleetVersion.current, "porter_sandbox_sdk": PorterSandboxVersion.current]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        case .yaml:
            print(output.render(["porter_fleet": PorterFleetVersion.current, "porter_sandbox_sdk": PorterSandboxVersion.current]))
        }
    }
}
