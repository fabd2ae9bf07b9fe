import Foundation

/// What each step of a state-machine run did, in order: with the seed, the recipe to reproduce a
/// violation by hand, and to turn it into a focused test.
struct StepTrace {
    private(set) var lines: [String] = []

    mutating func record(step: Int, _ text: String) {
        lines.append("\(step): \(text)")
    }

    /// Appends to the last step's line (what a pass did, once it is known).
    mutating func amend(_ text: String) {
        guard !lines.isEmpty else { return }
        lines[lines.count - 1] += " → " + text
    }

    /// The last `count` lines.
    func tail(_ count: Int) -> String { lines.suffix(count).joined(separator: "\n") }

    /// Writes the whole trace to a file in the temporary directory; returns its path.
    func write(seed: UInt64) -> String? {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("porter-fleet-state-machine-seed-\(seed).trace")
        do {
            try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            return url.path
        } catch {
            return nil
        }
    }
}
