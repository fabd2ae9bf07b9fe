import ArgumentParser
import Foundation
import PorterSandbox
import WireFormats

/// `porter-fleet logs NAME`: log lines of the current generation of a logical sandbox.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Show the log lines of the newest generation of a logical sandbox."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var backend: BackendOptions

    @Argument(help: "The logical name (e.g. api, agent-3).")
    var name: String

    @Flag(help: "Keep printing new lines until interrupted.")
    var follow = false

    @Option(help: "Look-back window, e.g. 30m or 1h.")
    var since = "1h"

    @Option(help: "The most lines to show (the API caps it at 5000).")
    var limit = 500

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json (one object per line) or yaml (one document per line).")
    var output: OutputFormat = .text

    func validate() throws {
        _ = try DurationFlag.parse(since, flag: "--since", example: "30m or 1h", maximum: GoDuration.maximum, allowingDays: false)
        guard (1...5000).contains(limit) else { throw ValidationError("--limit must be between 1 and 5000, not \(limit)") }
    }

    func run() async throws {
        let fleet = try await store.open(create: false).settings().fleetID
        try await backend.withPorter(logger: store.logging.logger()) { porter in
            try await show(try await SandboxResolver.current(name, fleet: fleet, porter: porter, runningOnly: false))
        }
    }

    private func show(_ sandbox: Sandbox) async throws {
        let out = CommandOutput.current
        var seen = Set<String>()
        func emit(_ lines: [LogLine]) {
            for line in lines {
                let key = "\(RFC3339DateTranscoder.format(line.timestamp))|\(line.execId)|\(line.line)"
                guard seen.insert(key).inserted else { continue }
                switch output {
                case .text: out.line(line.execId.isEmpty ? line.line : "[exec \(line.execId)] \(line.line)")
                case .json, .yaml:
                    let item = ["timestamp": RFC3339DateTranscoder.format(line.timestamp), "level": line.level.rawValue, "exec_id": line.execId, "line": line.line]
                    out.line(output == .yaml ? "---\n" + output.render(item) : output.render(item, pretty: false))
                }
            }
        }
        emit(try await sandbox.logs(limit: limit, since: since))
        while follow && !Task.isCancelled {
            try await Task.sleep(for: .seconds(1))
            emit(try await sandbox.logs(limit: limit, since: "5m"))
        }
    }
}
