import FleetModel
import FleetStore
import Foundation
import PostgresNIO

extension PostgresFleetStore {
    /// The reconciler's state, in one snapshot.
    public func reconcilerState() async throws -> ReconcilerState {
        try await read { connection in
            let tracked = try await Self.sandboxes(connection, where: "tracked", logger: logger)
            let ended = try await Self.sandboxes(
                connection,
                where: "NOT tracked AND (logical_name, generation) IN (SELECT logical_name, MAX(generation) FROM actual_sandbox GROUP BY logical_name)",
                logger: logger)
            let statuses = try await Self.statuses(connection, logger: logger)
            let intents = try await Self.intents(connection, logger: logger)
            let volumes = try await Self.volumes(connection, logger: logger)
            return ReconcilerState(
                trackedSandboxes: tracked,
                statuses: Dictionary(statuses.map { ($0.logicalName, $0) }, uniquingKeysWith: { first, _ in first }),
                intents: intents,
                ownedVolumes: Dictionary(volumes.map { ($0.logicalName, $0) }, uniquingKeysWith: { first, _ in first }),
                newestEnded: Dictionary(ended.map { ($0.logicalName, $0) }, uniquingKeysWith: { first, _ in first }))
        }
    }

    /// The three revisions in one query.
    public func revisions() async throws -> StoreRevisions {
        try await readStatement { connection in
            var revisions = StoreRevisions(desired: 0, pruneAllRequested: nil, reconciler: 0)
            for try await (desired, pruneAll, reconciler) in try await connection.query(
                "SELECT d.revision, d.prune_all_requested_revision, r.revision FROM desired_state d, reconciler_revision r", logger: logger
            ).decode((Int64, Int64?, Int64).self) {
                revisions = StoreRevisions(desired: desired, pruneAllRequested: pruneAll, reconciler: reconciler)
            }
            return revisions
        }
    }

    /// The reconciler revision.
    public func reconcilerRevision() async throws -> Int64 {
        try await read { connection in
            try await connection.query("SELECT revision FROM reconciler_revision WHERE id = 1", logger: logger).single(Int64.self) ?? 0
        }
    }

    /// Records the creates of a pass, refusing when `fence` is no longer the lease's.
    public func recordIntents(_ intents: [CreateIntent], fence: LeaseFence?) async throws {
        guard !intents.isEmpty else { return }
        try await write { connection in
            try await Self.check(fence, connection, logger: logger)
            try await connection.query(
                """
                INSERT INTO create_intent SELECT * FROM jsonb_populate_recordset(NULL::create_intent, \(try RecordJSON.encode(intents.lastByKey(\.actualName)))::jsonb)
                ON CONFLICT (actual_name) DO UPDATE SET kind = EXCLUDED.kind, logical_name = EXCLUDED.logical_name,
                generation = EXCLUDED.generation, created_at = EXCLUDED.created_at
                """, logger: logger)
            try await Self.bumpReconcilerRevision(connection, logger: logger)
        }
    }

    /// Writes one pass's changes in one transaction, refusing when `fence` is no longer the lease's.
    public func commit(_ changes: ReconcilerChanges, now: Date, fence: LeaseFence?) async throws {
        guard !changes.isEmpty else { return }
        try await write { connection in
            try await Self.check(fence, connection, logger: logger)
            try await Self.bumpReconcilerRevision(connection, logger: logger)
            try await Self.upsertRecords(changes, connection, logger: logger)
            try await Self.deleteKeys(changes, connection, logger: logger)
            if !changes.specs.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO sandbox_spec SELECT * FROM jsonb_populate_recordset(NULL::sandbox_spec, \(try RecordJSON.encode(changes.specs))::jsonb)
                    ON CONFLICT (spec_hash) DO NOTHING
                    """, logger: logger)
                let cutoff = now.addingTimeInterval(-EventRetention.age)
                try await connection.query(
                    "DELETE FROM sandbox_spec WHERE recorded_at < \(cutoff) AND spec_hash NOT IN (SELECT spec_hash FROM actual_sandbox)", logger: logger)
            }
            if !changes.events.isEmpty {
                try await Self.record(changes.events, connection, logger: logger)
                let cutoff = now.addingTimeInterval(-EventRetention.age)
                try await connection.query("DELETE FROM event WHERE last_at < \(cutoff)", logger: logger)
                try await connection.query(
                    """
                    DELETE FROM actual_sandbox WHERE NOT tracked AND COALESCE(finished_at, created_at) < \(cutoff)
                    AND generation < (SELECT MAX(generation) FROM actual_sandbox newest WHERE newest.logical_name = actual_sandbox.logical_name)
                    """, logger: logger)
                try await connection.query(
                    "DELETE FROM event WHERE id <= (SELECT id FROM event ORDER BY id DESC LIMIT 1 OFFSET \(EventRetention.rows))", logger: logger)
            }
        }
    }

    private static func upsertRecords(_ changes: ReconcilerChanges, _ connection: PostgresConnection, logger: Logger) async throws {
        if !changes.sandboxes.isEmpty {
            try await connection.query(
                """
                INSERT INTO actual_sandbox SELECT * FROM jsonb_populate_recordset(NULL::actual_sandbox, \(try RecordJSON.encode(changes.sandboxes.lastByKey(\.id)))::jsonb)
                ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, logical_name = EXCLUDED.logical_name, generation = EXCLUDED.generation,
                spec_hash = EXCLUDED.spec_hash, phase = EXCLUDED.phase, exit_code = EXCLUDED.exit_code, termination_reason = EXCLUDED.termination_reason,
                created_at = EXCLUDED.created_at, started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, tracked = EXCLUDED.tracked
                """, logger: logger)
        }
        if !changes.statuses.isEmpty {
            try await connection.query(
                """
                INSERT INTO logical_status SELECT * FROM jsonb_populate_recordset(NULL::logical_status, \(try RecordJSON.encode(changes.statuses.lastByKey(\.logicalName)))::jsonb)
                ON CONFLICT (logical_name) DO UPDATE SET owner = EXCLUDED.owner, last_generation = EXCLUDED.last_generation,
                failure_count = EXCLUDED.failure_count, backoff_until = EXCLUDED.backoff_until, sync = EXCLUDED.sync, health = EXCLUDED.health,
                phase = EXCLUDED.phase, generation = EXCLUDED.generation, actual_id = EXCLUDED.actual_id, actual_name = EXCLUDED.actual_name,
                message = EXCLUDED.message, last_transition_at = EXCLUDED.last_transition_at, failing_spec_hash = EXCLUDED.failing_spec_hash
                """, logger: logger)
        }
        if !changes.ownedVolumes.isEmpty {
            try await connection.query(
                """
                INSERT INTO owned_volume SELECT * FROM jsonb_populate_recordset(NULL::owned_volume, \(try RecordJSON.encode(changes.ownedVolumes.lastByKey(\.logicalName)))::jsonb)
                ON CONFLICT (logical_name) DO UPDATE SET volume_id = EXCLUDED.volume_id, actual_name = EXCLUDED.actual_name, adopted = EXCLUDED.adopted,
                deletion_policy = EXCLUDED.deletion_policy, created_at = EXCLUDED.created_at, retained_at = EXCLUDED.retained_at
                """, logger: logger)
        }
    }

    private static func deleteKeys(_ changes: ReconcilerChanges, _ connection: PostgresConnection, logger: Logger) async throws {
        if !changes.removedStatuses.isEmpty {
            try await connection.query("DELETE FROM logical_status WHERE logical_name = ANY(\(changes.removedStatuses)::text[])", logger: logger)
        }
        if !changes.settledIntents.isEmpty {
            try await connection.query("DELETE FROM create_intent WHERE actual_name = ANY(\(changes.settledIntents)::text[])", logger: logger)
        }
        if !changes.releasedVolumes.isEmpty {
            try await connection.query("DELETE FROM owned_volume WHERE logical_name = ANY(\(changes.releasedVolumes)::text[])", logger: logger)
        }
    }

    /// Records events, folding a repeat of its object's latest event into that event's count.
    private static func record(_ events: [FleetEvent], _ connection: PostgresConnection, logger: Logger) async throws {
        let kinds = events.map(\.kind.rawValue)
        let names = events.map(\.name)
        var latest: [String: FleetEvent] = [:]
        let rows = try await connection.query(
            """
            SELECT DISTINCT ON (kind, name) id, kind, name, type, reason, message, count, first_at, last_at, object FROM event
            WHERE (kind, name) IN (SELECT * FROM unnest(\(kinds)::text[], \(names)::text[])) ORDER BY kind, name, id DESC
            """, logger: logger)
        for event in try await Self.events(rows) { latest["\(event.kind)/\(event.name)"] = event }
        var inserted: [FleetEvent] = []
        var insertedIndex: [String: Int] = [:]
        var folded: [Int64: FleetEvent] = [:]
        for event in events {
            let key = "\(event.kind)/\(event.name)"
            if var previous = latest[key], previous.type == event.type, previous.reason == event.reason, previous.message == event.message {
                previous.count += 1
                previous.lastAt = event.lastAt
                latest[key] = previous
                if let index = insertedIndex[key] { inserted[index] = previous } else if let id = previous.id { folded[id] = previous }
            } else {
                insertedIndex[key] = inserted.count
                inserted.append(event)
                latest[key] = event
            }
        }
        if !folded.isEmpty {
            let updates = Array(folded.values)
            try await connection.query(
                """
                UPDATE event e SET count = u.count, last_at = u.last_at
                FROM unnest(\(updates.map { $0.id ?? 0 })::bigint[], \(updates.map { Int64($0.count) })::bigint[], \(updates.map(\.lastAt))::timestamptz[])
                AS u(id, count, last_at) WHERE e.id = u.id
                """, logger: logger)
        }
        if !inserted.isEmpty {
            try await connection.query(
                """
                INSERT INTO event (kind, name, type, reason, message, count, first_at, last_at, object)
                SELECT kind, name, type, reason, message, count, first_at, last_at, object
                FROM jsonb_populate_recordset(NULL::event, \(try RecordJSON.encode(inserted))::jsonb) WITH ORDINALITY AS r
                ORDER BY r.ordinality
                """, logger: logger)
        }
    }

    /// Events since `since` (all when nil), oldest first, at most `limit`.
    public func events(since: Date?, limit: Int) async throws -> [FleetEvent] {
        try await read { connection in
            let rows = try await connection.query(
                """
                SELECT id, kind, name, type, reason, message, count, first_at, last_at, object FROM event
                WHERE last_at >= \(since ?? Date.distantPast) ORDER BY id DESC LIMIT \(limit)
                """, logger: logger)
            return try await Self.events(rows).reversed()
        }
    }

    /// Every logical sandbox status, by name.
    public func statuses() async throws -> [LogicalSandboxStatus] {
        try await read { connection in try await Self.statuses(connection, logger: logger) }
    }

    // MARK: Helpers

    static func bumpReconcilerRevision(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE reconciler_revision SET revision = revision + 1 WHERE id = 1", logger: logger)
    }

    /// Refuses the transaction unless `fence` is the lease's current, unexpired grant.
    static func check(_ fence: LeaseFence?, _ connection: PostgresConnection, logger: Logger) async throws {
        guard let fence else { return }
        let current = try await connection.query(
            """
            SELECT COUNT(*) FROM lease WHERE id = 1 AND holder = \(fence.holder) AND token = \(fence.token) AND expires_at > \(fence.now)
            """, logger: logger
        ).single(Int64.self)
        guard current == 1 else { throw FleetStoreError.fencedOut(holder: fence.holder, token: fence.token) }
    }

    /// Every generation recorded for `logicalName`, oldest first.
    public func generations(of logicalName: String) async throws -> [ActualSandboxRecord] {
        try await read { connection in
            try await Self.sandboxes(
                connection,
                query: """
                    SELECT id, name, logical_name, generation, spec_hash, phase, exit_code, termination_reason, created_at, started_at, finished_at, tracked
                    FROM actual_sandbox WHERE logical_name = \(logicalName) ORDER BY generation
                    """, logger: logger)
        }
    }

    static func sandboxes(_ connection: PostgresConnection, where condition: String, logger: Logger) async throws -> [ActualSandboxRecord] {
        try await sandboxes(
            connection,
            query: PostgresQuery(
                unsafeSQL: """
                    SELECT id, name, logical_name, generation, spec_hash, phase, exit_code, termination_reason, created_at, started_at, finished_at, tracked
                    FROM actual_sandbox WHERE \(condition) ORDER BY name
                    """), logger: logger)
    }

    /// The records `query` selects (the columns of `actual_sandbox`, in order).
    private static func sandboxes(_ connection: PostgresConnection, query: PostgresQuery, logger: Logger) async throws -> [ActualSandboxRecord] {
        let rows = try await connection.query(query, logger: logger)
        var records: [ActualSandboxRecord] = []
        for try await (id, name, logical, generation, hash, phase, exitCode, reason, createdAt, startedAt, finishedAt, tracked) in rows.decode(
            (String, String, String, Int, String, String, Int?, String?, Date, Date?, Date?, Bool).self)
        {
            records.append(
                ActualSandboxRecord(
                    id: id, name: name, logicalName: logical, generation: generation, specHash: hash, phase: phase, exitCode: exitCode,
                    terminationReason: reason, createdAt: createdAt, startedAt: startedAt, finishedAt: finishedAt, tracked: tracked))
        }
        return records
    }

    static func statuses(_ connection: PostgresConnection, logger: Logger) async throws -> [LogicalSandboxStatus] {
        let rows = try await connection.query(
            """
            SELECT logical_name, owner, last_generation, failure_count, backoff_until, sync, health, phase, generation, actual_id, actual_name,
            message, last_transition_at, failing_spec_hash FROM logical_status ORDER BY logical_name
            """, logger: logger)
        var statuses: [LogicalSandboxStatus] = []
        for try await (name, owner, last, failures, backoff, sync, health, phase, generation, actualID, actualName, message, transition, failing)
            in rows.decode((String, String, Int, Int, Date?, String, String, String?, Int?, String?, String?, String, Date, String?).self)
        {
            statuses.append(
                LogicalSandboxStatus(
                    logicalName: name, owner: owner, lastGeneration: last, failureCount: failures, failingSpecHash: failing, backoffUntil: backoff,
                    sync: SyncStatus(rawValue: sync) ?? .outOfSync, health: HealthStatus(rawValue: health) ?? .degraded, phase: phase,
                    generation: generation, actualID: actualID, actualName: actualName, message: message, lastTransitionAt: transition))
        }
        return statuses
    }

    /// What the generations of these spec hashes were created from, where recorded.
    public func recordedSpecs(hashes: [String]) async throws -> [RecordedSpec] {
        guard !hashes.isEmpty else { return [] }
        return try await read { connection in try await Self.specs(connection, hashes: hashes, logger: logger) }
    }

    /// Recorded specs by hash: those of `hashes`, or all.
    static func specs(_ connection: PostgresConnection, hashes: [String]?, logger: Logger) async throws -> [RecordedSpec] {
        let rows =
            if let hashes {
                try await connection.query(
                    "SELECT spec_hash, document, recorded_at FROM sandbox_spec WHERE spec_hash = ANY(\(hashes)::text[]) ORDER BY spec_hash", logger: logger)
            } else {
                try await connection.query("SELECT spec_hash, document, recorded_at FROM sandbox_spec ORDER BY spec_hash", logger: logger)
            }
        var specs: [RecordedSpec] = []
        for try await (hash, document, recordedAt) in rows.decode((String, String, Date).self) {
            specs.append(RecordedSpec(specHash: hash, document: document, recordedAt: recordedAt))
        }
        return specs
    }

    static func intents(_ connection: PostgresConnection, logger: Logger) async throws -> [CreateIntent] {
        let rows = try await connection.query(
            "SELECT actual_name, kind, logical_name, generation, created_at FROM create_intent ORDER BY actual_name", logger: logger)
        var intents: [CreateIntent] = []
        for try await (name, kind, logical, generation, createdAt) in rows.decode((String, String, String, Int, Date).self) {
            intents.append(CreateIntent(actualName: name, kind: kind, logicalName: logical, generation: generation, createdAt: createdAt))
        }
        return intents
    }

    static func volumes(_ connection: PostgresConnection, logger: Logger) async throws -> [OwnedVolume] {
        let rows = try await connection.query(
            "SELECT logical_name, volume_id, actual_name, adopted, deletion_policy, created_at, retained_at FROM owned_volume ORDER BY logical_name",
            logger: logger)
        var volumes: [OwnedVolume] = []
        for try await (logical, id, name, adopted, policy, createdAt, retainedAt) in rows.decode((String, String, String, Bool, String, Date, Date?).self) {
            volumes.append(
                OwnedVolume(
                    logicalName: logical, volumeID: id, actualName: name, adopted: adopted, deletionPolicy: policy, createdAt: createdAt,
                    retainedAt: retainedAt))
        }
        return volumes
    }

    static func events(_ rows: PostgresRowSequence) async throws -> [FleetEvent] {
        var events: [FleetEvent] = []
        for try await (id, kind, name, type, reason, message, count, firstAt, lastAt, object) in rows.decode(
            (Int64, String, String, String, String, String, Int, Date, Date, String?).self)
        {
            guard let kind = EventSubject(rawValue: kind), let type = EventType(rawValue: type), let reason = EventReason(rawValue: reason) else {
                continue
            }
            var event = FleetEvent(kind: kind, name: name, type: type, reason: reason, message: message, at: firstAt, object: object)
            event.id = id
            event.count = count
            event.lastAt = lastAt
            events.append(event)
        }
        return events
    }
}

extension Array {
    /// The elements with distinct keys, the last of each, in the order of their last occurrence.
    func lastByKey<Key: Hashable>(_ key: (Element) -> Key) -> [Element] {
        var seen = Set<Key>()
        var kept: [Element] = []
        for element in reversed() where seen.insert(key(element)).inserted { kept.append(element) }
        return kept.reversed()
    }
}
