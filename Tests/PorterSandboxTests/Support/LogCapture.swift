import Foundation
import Logging
import Synchronization

/// Collects every log line (message and metadata) at trace level, to check what the SDK logs.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    /// Everything logged so far, one string per line with its metadata.
    var all: [String] { lines.withLock { $0 } }

    /// A logger at trace level writing here.
    func logger() -> Logger {
        var logger = Logger(label: "capture") { label in Handler(capture: self, label: label) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        let label: String
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(label) \(event.message) \(merged)")
        }
    }
}
