import Foundation
import Synchronization

/// What a child process writes to a pipe, collected as it arrives (for stderr logs of daemons).
final class StreamCapture: Sendable {
    /// The pipe to hand the process as its output.
    let pipe = Pipe()
    private let collected = Collected()

    private final class Collected: Sendable {
        let text = Mutex("")
    }

    init() {
        let collected = collected
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            collected.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
    }

    /// Everything written so far.
    var text: String { collected.text.withLock { $0 } }

    /// Stops collecting.
    func stop() { pipe.fileHandleForReading.readabilityHandler = nil }
}
