import ArgumentParser
import Foundation
import Logging

/// How daemons write their logs to stderr: `text` for people, `json` (one object a line) for log shippers.
enum LogFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json

    /// A logger labelled `label` at `level`, writing in this format.
    func logger(_ label: String, level: Logger.Level) -> Logger {
        var logger: Logger
        switch self {
        case .text: logger = Logger(label: label)
        case .json: logger = Logger(label: label, factory: { JSONLogHandler(label: $0) })
        }
        logger.logLevel = level
        return logger
    }
}

/// One JSON object a line on stderr: `time` (RFC 3339, UTC, milliseconds), `level`, `label`, `message`,
/// `source` and the metadata's keys (values as strings), keys sorted.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) { object[key] = "\(value)" }
        object["time"] = Date().formatted(Self.timeStyle)
        object["level"] = event.level.rawValue
        object["label"] = label
        object["message"] = "\(event.message)"
        object["source"] = event.source
        guard var line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        line.append(UInt8(ascii: "\n"))
        line.withUnsafeBytes { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
    }

    private static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}

/// `--log-level` and `--log-format`, on every command that opens a store or serves: logs go to stderr,
/// apart from the command's output. One-shot commands log warnings and errors unless told more
/// (`--log-level debug` shows the SDK's retries and throttling); daemons and servers log from `info`.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error (default: info for run, up and local serve; warning otherwise).")
    var logLevel: Logger.Level?

    @Option(help: "Log format: text, or json (one object a line), on stderr.")
    var logFormat: LogFormat = .text

    /// A logger labelled `label`, at --log-level or else `defaultLevel`.
    func logger(_ label: String = "porter-fleet", defaultLevel: Logger.Level = .warning) -> Logger {
        logFormat.logger(label, level: logLevel ?? defaultLevel)
    }
}
