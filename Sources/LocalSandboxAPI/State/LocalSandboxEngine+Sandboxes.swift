import Foundation
import PorterSandbox

extension LocalSandboxEngine {
    /// Creates a sandbox: validates, records it `queued` (persisted before answering), schedules it.
    func create(_ spec: SandboxSpec) throws -> LocalSandbox {
        try SandboxSpecValidation.validate(spec)
        let id = UUID().uuidString.lowercased()
        let name = spec.name ?? id
        if let existing = sandboxIDByName[name] {
            let phase = sandboxes[existing]?.phase.rawValue ?? "unknown"
            throw LocalAPIError.conflict("sandbox name '\(name)' is already used (by \(existing), \(phase)); sandbox names can never be reused")
        }
        var mounts: [String: String] = [:]
        for (path, volumeID) in spec.volumeMounts?.additionalProperties ?? [:] {
            guard let volume = volumes[volumeID] else {
                throw LocalAPIError.badRequest("volume_mounts['\(path)']: no volume with id '\(volumeID)'")
            }
            if volume.phase == .failed { throw LocalAPIError.badRequest("volume_mounts['\(path)']: volume '\(volume.name)' failed") }
            mounts[path] = volumeID
        }
        let now = clock()
        let sandbox = LocalSandbox(
            id: id, name: name, sequence: nextSequence, spec: spec, phase: .queued, exitCode: nil, createdAt: now,
            startedAt: nil, finishedAt: nil, terminationReason: nil, volumeMounts: mounts)
        try store.save(sandboxes: [sandbox])
        nextSequence += 1
        insert(sandbox)
        let queuedDelay = (runtime as? SimulatedRuntime)?.configuration.queuedDelay ?? .zero
        timers.schedule(.beginCreating(sandboxID: id), at: now.adding(queuedDelay))
        if let deadline = sandbox.ttlDeadline { timers.schedule(.ttlCheck(sandboxID: id), at: deadline) }
        return sandbox
    }

    /// Terminates a live sandbox (`terminated`, reason from `source`, `sdk` when absent); a terminal
    /// sandbox is left as it is.
    func terminate(id: String, reason: TerminationReason) throws -> LocalSandbox {
        var sandbox = try sandbox(id: id)
        guard sandbox.isLive else { return sandbox }
        sandbox.finish(.terminated, reason: reason, at: clock())
        try store.save(sandboxes: [sandbox])
        sandboxes[id] = sandbox
        let runtime = runtime
        Task { await runtime.stop(id: id) }
        return sandbox
    }

    /// The id of the sandbox with this name (terminated ones included: names stay reserved).
    func lookupSandbox(name: String) throws -> String {
        guard let id = sandboxIDByName[name] else { throw LocalAPIError.notFound("no sandbox named '\(name)'") }
        return id
    }

    /// Sandboxes matching the filters, newest first.
    func matching(_ filter: SandboxFilter) -> [LocalSandbox] {
        var result: [LocalSandbox] = []
        for id in creationOrder.reversed() {
            guard let sandbox = sandboxes[id], filter.matches(sandbox) else { continue }
            result.append(sandbox)
        }
        return result
    }

    /// The ids of matching sandboxes, newest first; reused while nothing changed, so paging through a
    /// listing costs one scan, not one per page.
    func matchingIDs(_ filter: SandboxFilter) -> [String] {
        if let cache = listingCache, cache.version == version, cache.key == filter.key { return cache.ids }
        var ids: [String] = []
        for id in creationOrder.reversed() where sandboxes[id].map(filter.matches) == true { ids.append(id) }
        listingCache = (version, filter.key, ids)
        return ids
    }

    /// One page (100 a page) of matching sandboxes; a page past the last is empty.
    func list(_ filter: SandboxFilter, page: Int64, includeFilterValues: Bool) -> Components.Schemas.ListResponse {
        let ids = matchingIDs(filter)
        let totalPages = max(1, (ids.count + Self.pageSize - 1) / Self.pageSize)
        var slice: [LocalSandbox] = []
        if page <= Int64(totalPages) {
            let start = (Int(page) - 1) * Self.pageSize
            slice = ids[start..<min(ids.count, start + Self.pageSize)].compactMap { sandboxes[$0] }
        }
        var filterValues: FilterValues?
        if includeFilterValues {
            var tags = Set<String>()
            var images = Set<String>()
            for sandbox in sandboxes.values {
                images.insert(sandbox.image)
                for (key, value) in sandbox.tags { tags.insert("\(key)=\(value)") }
            }
            filterValues = FilterValues(
                tags: tags.sorted(), images: images.sorted(), phases: Components.Schemas.FilterValuesResponsePhases.allCases)
        }
        return .init(
            sandboxes: slice.map(\.status),
            pagination: .init(currentPage: page, totalPages: Int64(totalPages), hasNextPage: page < Int64(totalPages)),
            filterValues: filterValues
        )
    }

    /// Creation counts of matching sandboxes in one-minute buckets (one-hour buckets past a day), oldest first.
    func counts(_ filter: SandboxFilter) -> SandboxCounts {
        let created = matching(filter).map(\.createdAt)
        guard let first = created.min(), let last = created.max() else { return .init(points: [], granularityMs: 60_000) }
        let width: TimeInterval = last.timeIntervalSince(first) > 86_400 ? 3600 : 60
        let start = (first.timeIntervalSince1970 / width).rounded(.down) * width
        let buckets = Int(((last.timeIntervalSince1970 - start) / width).rounded(.down)) + 1
        var counts = [Int64](repeating: 0, count: buckets)
        for date in created { counts[Int(((date.timeIntervalSince1970 - start) / width).rounded(.down))] += 1 }
        let points = counts.enumerated().map { index, count in
            Components.Schemas.CountPoint(timestamp: Date(timeIntervalSince1970: start + Double(index) * width), count: count)
        }
        return .init(points: points, granularityMs: Int64(width * 1000))
    }

    /// Runs a command in a running sandbox; `conflict` in any other phase.
    func exec(id: String, command: [String]) async throws -> ExecResult {
        let sandbox = try sandbox(id: id)
        guard sandbox.phase == .running else {
            throw LocalAPIError.conflict("sandbox '\(sandbox.name)' is \(sandbox.phase.rawValue), not running: exec needs a running sandbox")
        }
        guard !command.isEmpty else { throw LocalAPIError.badRequest("command must not be empty") }
        let execID = "exec-" + UUID().uuidString.lowercased().prefix(13)
        return try await runtime.exec(command, in: sandbox, mounts: mountDirectories(of: sandbox), execID: String(execID), hooks: hooks(for: id))
    }

    /// Log lines of a sandbox, oldest first; `limit` 0 or absent means 500, capped at 5000.
    func logs(id: String, limit: Int?, since: Duration?) throws -> [LocalLogLine] {
        _ = try sandbox(id: id)
        flush()
        let effectiveLimit = min(5000, (limit ?? 0) <= 0 ? 500 : limit!)
        let sinceDate = since.map { clock().adding(.zero - $0) }
        return try store.logs(sandboxID: id, since: sinceDate, limit: effectiveLimit)
    }
}

extension Date {
    /// This date moved by a duration.
    func adding(_ duration: Duration) -> Date {
        addingTimeInterval(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
