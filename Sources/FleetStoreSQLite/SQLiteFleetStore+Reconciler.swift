import FleetModel
import FleetStore
import Foundation
import GRDB

extension SQLiteFleetStore {

    /// The reconciler's state, in one read.
    public func reconcilerState() throws -> ReconcilerState {
        try readDatabase { db in
            let tracked = try ActualSandboxRecord.fetchAll(db, sql: "SELECT * FROM actual_sandbox WHERE tracked = 1")
            let intents = try CreateIntent.fetchAll(db)
            let volumes = try OwnedVolume.fetchAll(db)
            let ended = try ActualSandboxRecord.fetchAll(
                db,
                sql: """
                    SELECT a.* FROM actual_sandbox a
                    JOIN (SELECT logical_name, MAX(generation) AS generation FROM actual_sandbox GROUP BY logical_name) m
                    ON a.logical_name = m.logical_name AND a.generation = m.generation
                    WHERE a.tracked = 0
                    """)
            return ReconcilerState(
                trackedSandboxes: tracked,
                statuses: try Self.statusesByName(db),
                intents: intents,
                ownedVolumes: Dictionary(uniqueKeysWithValues: volumes.map { ($0.logicalName, $0) }),
                // Records are keyed by id, so two can share a logical name and generation (after the name
                // prefix changed, say): the first is kept, as the PostgreSQL engine does, instead of trapping.
                newestEnded: Dictionary(ended.map { ($0.logicalName, $0) }, uniquingKeysWith: { first, _ in first }))
        }
    }

    /// The statuses by logical name, read into a dictionary of the right size (a fleet of 10,000 would
    /// otherwise hold them twice while the dictionary is built).
    private static func statusesByName(_ db: Database) throws -> [String: LogicalSandboxStatus] {
        var statuses = [String: LogicalSandboxStatus](minimumCapacity: try LogicalSandboxStatus.fetchCount(db))
        let cursor = try LogicalSandboxStatus.fetchCursor(db)
        while let status = try cursor.next() { statuses[status.logicalName] = status }
        return statuses
    }

    /// Records a create before it is sent, in its own transaction.
    public func recordIntent(_ intent: CreateIntent) throws {
        try recordIntents([intent], fence: nil)
    }

    /// Records the creates of a pass, unfenced (synchronous: this engine is embedded).
    public func recordIntents(_ intents: [CreateIntent]) throws { try recordIntents(intents, fence: nil) }

    /// Writes one pass's changes, unfenced (synchronous: this engine is embedded).
    public func commit(_ changes: ReconcilerChanges, now: Date) throws { try commit(changes, now: now, fence: nil) }

    /// Records the creates of a pass before any is sent, in one transaction of their own; with a
    /// `fence`, only while it is the lease's current grant.
    public func recordIntents(_ intents: [CreateIntent], fence: LeaseFence?) throws {
        guard !intents.isEmpty else { return }
        try write { db in
            try Self.check(fence, db)
            try db.insert(intents, replacing: true)
            try Self.bumpReconcilerRevision(db)
        }
    }

    /// The three revisions in one read.
    public func revisions() throws -> StoreRevisions {
        try readDatabase { db in
            let row = try Row.fetchOne(
                db,
                sql: "SELECT d.revision, d.prune_all_requested_revision, r.revision AS reconciler FROM desired_state d, reconciler_revision r")
            return StoreRevisions(desired: row?[0] ?? 0, pruneAllRequested: row?[1], reconciler: row?[2] ?? 0)
        }
    }

    /// A number that grows with every write to the reconciler's tables, so a controller can keep what
    /// it read in memory while nothing changed.
    public func reconcilerRevision() throws -> Int64 {
        try readDatabase { db in try Int64.fetchOne(db, sql: "SELECT revision FROM reconciler_revision WHERE id = 1") ?? 0 }
    }

    /// Refuses the transaction unless `fence` is the lease's current, unexpired grant.
    static func check(_ fence: LeaseFence?, _ db: Database) throws {
        guard let fence else { return }
        let current = try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM lease WHERE id = 1 AND holder = ? AND token = ? AND expires_at > ?",
            arguments: [fence.holder, fence.token, fence.now])
        guard current == 1 else { throw FleetStoreError.fencedOut(holder: fence.holder, token: fence.token) }
    }

    static func bumpReconcilerRevision(_ db: Database) throws {
        try db.execute(sql: "UPDATE reconciler_revision SET revision = revision + 1 WHERE id = 1")
    }

    /// Writes one pass's changes in one transaction, folding repeated events and trimming old ones; with
    /// a `fence`, only while it is the lease's current grant.
    public func commit(_ changes: ReconcilerChanges, now: Date, fence: LeaseFence?) throws {
        guard !changes.isEmpty else { return }
        try write { db in
            try Self.check(fence, db)
            try Self.bumpReconcilerRevision(db)
            try db.insert(changes.sandboxes, replacing: true)
            try db.insert(changes.statuses, replacing: true)
            let removeStatus = try db.cachedStatement(sql: "DELETE FROM logical_status WHERE logical_name = ?")
            for name in changes.removedStatuses { try removeStatus.execute(arguments: [name]) }
            let settle = try db.cachedStatement(sql: "DELETE FROM create_intent WHERE actual_name = ?")
            for name in changes.settledIntents { try settle.execute(arguments: [name]) }
            for volume in changes.ownedVolumes { try volume.insert(db, onConflict: .replace) }
            let release = try db.cachedStatement(sql: "DELETE FROM owned_volume WHERE logical_name = ?")
            for name in changes.releasedVolumes { try release.execute(arguments: [name]) }
            // Repeats of an object's latest event are folded into its count.
            var latest: [String: FleetEvent] = [:]
            if !changes.events.isEmpty {
                for event in try FleetEvent.fetchAll(db, sql: "SELECT * FROM event WHERE id IN (SELECT MAX(id) FROM event GROUP BY kind, name)") {
                    latest["\(event.kind)/\(event.name)"] = event
                }
            }
            for var event in changes.events {
                let key = "\(event.kind)/\(event.name)"
                if var previous = latest[key], previous.type == event.type, previous.reason == event.reason, previous.message == event.message {
                    previous.count += 1
                    previous.lastAt = event.lastAt
                    try previous.update(db)
                    latest[key] = previous
                } else {
                    try db.insert([event], replacing: false)
                    event.id = db.lastInsertedRowID
                    latest[key] = event
                }
            }
            for spec in changes.specs { try spec.insert(db, onConflict: .ignore) }
            if !changes.specs.isEmpty {
                try db.execute(
                    sql: "DELETE FROM sandbox_spec WHERE recorded_at < ? AND spec_hash NOT IN (SELECT spec_hash FROM actual_sandbox)",
                    arguments: [now.addingTimeInterval(-EventRetention.age)])
            }
            if !changes.events.isEmpty {
                let cutoff = now.addingTimeInterval(-EventRetention.age)
                try db.execute(sql: "DELETE FROM event WHERE last_at < ?", arguments: [cutoff])
                try db.execute(
                    sql: """
                        DELETE FROM actual_sandbox WHERE tracked = 0 AND COALESCE(finished_at, created_at) < ?
                        AND generation < (SELECT MAX(generation) FROM actual_sandbox newest WHERE newest.logical_name = actual_sandbox.logical_name)
                        """, arguments: [cutoff])
                try db.execute(
                    sql: "DELETE FROM event WHERE id <= (SELECT id FROM event ORDER BY id DESC LIMIT 1 OFFSET ?)",
                    arguments: [EventRetention.rows])
            }
        }
    }

    /// Events since `since` (all when nil), oldest first, at most `limit`.
    public func events(since: Date?, limit: Int) throws -> [FleetEvent] {
        try readDatabase { db in
            let rows = try FleetEvent.fetchAll(
                db, sql: "SELECT * FROM event WHERE last_at >= ? ORDER BY id DESC LIMIT ?",
                arguments: [since ?? Date.distantPast, limit])
            return rows.reversed()
        }
    }

    /// Every generation recorded for `logicalName`, oldest first.
    public func generations(of logicalName: String) throws -> [ActualSandboxRecord] {
        try readDatabase { db in
            try ActualSandboxRecord.fetchAll(db, sql: "SELECT * FROM actual_sandbox WHERE logical_name = ? ORDER BY generation", arguments: [logicalName])
        }
    }

    /// What the generations of these spec hashes were created from, where recorded.
    public func recordedSpecs(hashes: [String]) throws -> [RecordedSpec] {
        guard !hashes.isEmpty else { return [] }
        return try readDatabase { db in try RecordedSpec.filter(keys: hashes).order(Column("spec_hash")).fetchAll(db) }
    }

    /// Every logical sandbox status, by name.
    public func statuses() throws -> [LogicalSandboxStatus] {
        try readDatabase { db in try LogicalSandboxStatus.fetchAll(db, sql: "SELECT * FROM logical_status ORDER BY logical_name") }
    }
}
