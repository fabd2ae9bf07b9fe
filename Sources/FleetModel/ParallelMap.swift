import Foundation
import Synchronization

/// Maps a large array on every core: one contiguous chunk per core, results in the original order. Small
/// arrays are mapped in place (threads would cost more than they save).
public enum ParallelMap {
    /// Arrays shorter than this are mapped on the calling thread.
    static let threshold = 512

    /// `items.map(transform)`, chunked across the cores; the first error (by position) is thrown.
    public static func map<Item: Sendable, Mapped: Sendable>(
        _ items: [Item], _ transform: (Item) throws -> Mapped
    ) throws -> [Mapped] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard items.count >= threshold, cores > 1 else { return try items.map(transform) }
        let chunkSize = (items.count + cores - 1) / cores
        let chunks = Mutex<[Int: Result<[Mapped], any Error>]>([:])
        withoutActuallyEscaping(transform) { transform in
            nonisolated(unsafe) let transform = transform
            DispatchQueue.concurrentPerform(iterations: cores) { chunk in
                let range = (chunk * chunkSize)..<min(items.count, (chunk + 1) * chunkSize)
                let result = Result { try items[range].map(transform) }
                chunks.withLock { $0[chunk] = result }
            }
        }
        let results = chunks.withLock { $0 }
        var mapped: [Mapped] = []
        mapped.reserveCapacity(items.count)
        for chunk in 0..<cores { mapped += try results[chunk]?.get() ?? [] }
        return mapped
    }
}
