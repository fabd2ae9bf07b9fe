import Foundation
import Synchronization

/// Log lines from runtimes (any thread), waiting to be written to the store in one batch.
final class LogBuffer: Sendable {
    private let lines = Mutex<[LocalLogLine]>([])

    func append(_ line: LocalLogLine) { lines.withLock { $0.append(line) } }

    func drain() -> [LocalLogLine] {
        lines.withLock { buffer in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
    }
}
