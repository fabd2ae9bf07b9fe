import Foundation

/// Something the engine must do at a given time.
enum TimedEvent: Sendable, Equatable {
    /// `queued` → `creating`, and launch.
    case beginCreating(sandboxID: String)
    /// A simulated sandbox becomes `running`.
    case markRunning(sandboxID: String)
    /// A simulated sandbox exits with this code.
    case simulatedExit(sandboxID: String, code: Int64)
    /// Check whether the sandbox's TTL has ended.
    case ttlCheck(sandboxID: String)
    /// A new volume's claim binds: `pending` → `ready`.
    case volumeReady(volumeID: String)
}

/// A min-heap of timed events, earliest first; ties keep insertion order.
struct TimerQueue: Sendable {
    private var heap: [(deadline: Date, order: UInt64, event: TimedEvent)] = []
    private var counter: UInt64 = 0

    var count: Int { heap.count }

    mutating func schedule(_ event: TimedEvent, at deadline: Date) {
        counter += 1
        heap.append((deadline, counter, event))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns every event due at `now`, earliest first.
    mutating func popDue(now: Date) -> [TimedEvent] {
        var due: [TimedEvent] = []
        while let first = heap.first, first.deadline <= now {
            due.append(first.event)
            let last = heap.removeLast()
            guard !heap.isEmpty else { break }
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count, less(left, smallest) { smallest = left }
                if right < heap.count, less(right, smallest) { smallest = right }
                guard smallest != parent else { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return due
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        heap[a].deadline < heap[b].deadline || (heap[a].deadline == heap[b].deadline && heap[a].order < heap[b].order)
    }
}
