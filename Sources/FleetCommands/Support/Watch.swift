import FleetStore

/// `--watch` for read commands: shows the output, then again whenever the desired state or what the
/// reconciler recorded changes (looked at once a second), until interrupted. On a terminal each view
/// replaces the last; into a pipe, views follow each other, separated by a blank line.
enum Watch {
    /// How often the store's revisions are looked at.
    static let interval: Duration = .seconds(1)

    /// Renders once, or (with `watch`) again on every change.
    static func show(_ store: any FleetStore, watch: Bool, render: () async throws -> Void) async throws {
        if watch {
            try await loop(store, render: render)
        } else {
            try await render()
        }
    }

    static func loop(_ store: any FleetStore, render: () async throws -> Void) async throws {
        let out = CommandOutput.current
        var seen = try await revisions(store)
        try await render()
        while !Task.isCancelled {
            try await Task.sleep(for: interval)
            let now = try await revisions(store)
            guard now != seen else { continue }
            seen = now
            out.raw(out.isTerminal ? "\u{1B}[H\u{1B}[2J" : "\n")
            try await render()
        }
    }

    private static func revisions(_ store: any FleetStore) async throws -> [Int64] {
        [try await store.revision(), try await store.reconcilerRevision()]
    }
}
