import Foundation
import Logging
import PorterSandbox

/// The state and rules of the local Sandbox API: sandboxes, volumes, phases, names, TTLs.
///
/// The state lives in memory for speed and is written through to ``LocalStore`` (SQLite): every
/// change an API call makes is persisted in one transaction before the call is answered; changes the
/// runtime drives (phase transitions, log lines) are written in batches by ``tick()``.
actor LocalSandboxEngine {
    let store: LocalStore
    let runtime: any SandboxRuntime
    let volumesRoot: URL
    let logBuffer = LogBuffer()
    let logger: Logger
    let clock: @Sendable () -> Date

    var sandboxes: [String: LocalSandbox] = [:] {
        didSet { version &+= 1 }
    }
    /// Grows with every change to `sandboxes`, so a listing can be reused for its later pages.
    var version: UInt64 = 0
    /// The ids of the last listing's matches, newest first, while nothing changed.
    var listingCache: (version: UInt64, key: SandboxFilter.Key, ids: [String])?
    var sandboxIDByName: [String: String] = [:]
    /// Sandbox ids in creation order.
    var creationOrder: [String] = []
    var volumes: [String: LocalVolume] = [:]
    var volumeIDByName: [String: String] = [:]
    var nextSequence: Int64 = 1
    var timers = TimerQueue()
    /// Sandboxes changed by the runtime since the last flush.
    var dirtySandboxIDs: Set<String> = []
    var dirtyVolumeIDs: Set<String> = []

    static let pageSize = 100

    init(store: LocalStore, runtime: any SandboxRuntime, volumesRoot: URL, logger: Logger, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.runtime = runtime
        self.volumesRoot = volumesRoot
        self.logger = logger
        self.clock = clock
    }

    /// Loads the stored state. Live process sandboxes whose processes are gone become `failed` with
    /// reason `backend_lost`; live simulated sandboxes carry on.
    func load() throws {
        let (storedSandboxes, storedVolumes) = try store.loadAll()
        let now = clock()
        var lost: [LocalSandbox] = []
        for var sandbox in storedSandboxes {
            if sandbox.isLive {
                if runtime.survivesRestart {
                    resumeTimers(for: sandbox, now: now)
                } else {
                    sandbox.finish(.failed, reason: .backendLost, at: now)
                    lost.append(sandbox)
                }
            }
            insert(sandbox)
            nextSequence = max(nextSequence, sandbox.sequence + 1)
        }
        for var volume in storedVolumes where !volume.deleted {
            if volume.phase == .pending {
                volume.phase = .ready
                dirtyVolumeIDs.insert(volume.id)
            }
            volumes[volume.id] = volume
            volumeIDByName[volume.name] = volume.id
        }
        try store.save(sandboxes: lost, volumes: dirtyVolumeIDs.compactMap { volumes[$0] })
        dirtyVolumeIDs.removeAll()
        if !lost.isEmpty { logger.notice("sandboxes lost with the previous server process", metadata: ["count": "\(lost.count)"]) }
    }

    private func resumeTimers(for sandbox: LocalSandbox, now: Date) {
        switch sandbox.phase {
        case .queued: timers.schedule(.beginCreating(sandboxID: sandbox.id), at: now)
        case .creating: timers.schedule(.markRunning(sandboxID: sandbox.id), at: now)
        default: break
        }
        if let deadline = sandbox.ttlDeadline { timers.schedule(.ttlCheck(sandboxID: sandbox.id), at: deadline) }
    }

    func insert(_ sandbox: LocalSandbox) {
        sandboxes[sandbox.id] = sandbox
        sandboxIDByName[sandbox.name] = sandbox.id
        creationOrder.append(sandbox.id)
    }

    /// The sandbox with this id, or `notFound`.
    func sandbox(id: String) throws(LocalAPIError) -> LocalSandbox {
        guard let sandbox = sandboxes[id] else { throw .notFound("no sandbox with id '\(id)'") }
        return sandbox
    }

    /// Host directories of a sandbox's volumes, by mount path.
    func mountDirectories(of sandbox: LocalSandbox) -> [String: URL] {
        sandbox.volumeMounts.compactMapValues { volumeID in
            guard let volume = volumes[volumeID], volume.type == .disk else { return nil }
            return volumeDirectory(volume)
        }
    }

    func volumeDirectory(_ volume: LocalVolume) -> URL { volumesRoot.appendingPathComponent(volume.id) }

    /// Live sandboxes mounting each volume.
    func attachments() -> [String: [String]] {
        var attached: [String: [String]] = [:]
        for id in creationOrder {
            guard let sandbox = sandboxes[id], sandbox.isLive else { continue }
            for volumeID in Set(sandbox.volumeMounts.values) { attached[volumeID, default: []].append(id) }
        }
        return attached
    }

    /// Number of live sandboxes.
    var activeCount: Int { sandboxes.values.reduce(0) { $0 + ($1.isLive ? 1 : 0) } }

    /// Runtime hooks for one sandbox: log lines go to the buffer, exits to the engine.
    func hooks(for sandboxID: String) -> RuntimeHooks {
        let logBuffer = logBuffer
        let clock = clock
        return RuntimeHooks(
            log: { line, level, execID in
                logBuffer.append(LocalLogLine(sandboxID: sandboxID, timestamp: clock(), line: line, level: level, execID: execID))
            },
            exited: { [weak self] code in await self?.workloadExited(sandboxID: sandboxID, code: code) }
        )
    }

    /// The workload exited: 0 → `succeeded`, else `failed`, reason `workload_exited`.
    func workloadExited(sandboxID: String, code: Int64) {
        guard var sandbox = sandboxes[sandboxID], sandbox.isLive else { return }
        sandbox.finish(code == 0 ? .succeeded : .failed, reason: .workloadExited, exitCode: code, at: clock())
        sandboxes[sandboxID] = sandbox
        dirtySandboxIDs.insert(sandboxID)
    }

    /// Writes the runtime's batched changes and log lines.
    func flush() {
        let changedSandboxes = dirtySandboxIDs.compactMap { sandboxes[$0] }
        let changedVolumes = dirtyVolumeIDs.compactMap { volumes[$0] }
        dirtySandboxIDs.removeAll(keepingCapacity: true)
        dirtyVolumeIDs.removeAll(keepingCapacity: true)
        do {
            try store.save(sandboxes: changedSandboxes, volumes: changedVolumes)
            try store.append(logs: logBuffer.drain())
        } catch {
            logger.error("could not write the local API state", metadata: ["error": "\(error)"])
        }
    }
}
