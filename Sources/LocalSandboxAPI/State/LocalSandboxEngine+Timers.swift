import Foundation
import PorterSandbox

extension LocalSandboxEngine {
    /// Runs every timed event that is due, then writes the batched changes.
    func tick() async {
        let now = clock()
        for event in timers.popDue(now: now) {
            await handle(event, now: now)
        }
        if !dirtySandboxIDs.isEmpty || !dirtyVolumeIDs.isEmpty { flush() } else { try? store.append(logs: logBuffer.drain()) }
    }

    private func handle(_ event: TimedEvent, now: Date) async {
        switch event {
        case .beginCreating(let id):
            await beginCreating(id, now: now)
        case .markRunning(let id):
            markRunning(id, now: now)
        case .simulatedExit(let id, let code):
            workloadExited(sandboxID: id, code: code)
        case .ttlCheck(let id):
            guard var sandbox = sandboxes[id], sandbox.isLive, let deadline = sandbox.ttlDeadline else { return }
            if deadline > now {
                timers.schedule(.ttlCheck(sandboxID: id), at: deadline)
                return
            }
            sandbox.finish(.terminated, reason: .ttlExpired, at: now)
            sandboxes[id] = sandbox
            dirtySandboxIDs.insert(id)
            let runtime = runtime
            Task { await runtime.stop(id: id) }
        case .volumeReady(let id):
            guard var volume = volumes[id], volume.phase == .pending else { return }
            volume.phase = .ready
            volumes[id] = volume
            dirtyVolumeIDs.insert(id)
        }
    }

    private func beginCreating(_ id: String, now: Date) async {
        guard var sandbox = sandboxes[id], sandbox.phase == .queued else { return }
        // A sandbox mounting a volume that is still pending is held until the claim binds.
        if sandbox.volumeMounts.values.contains(where: { volumes[$0]?.phase == .pending }) {
            timers.schedule(.beginCreating(sandboxID: id), at: now.addingTimeInterval(0.01))
            return
        }
        sandbox.phase = .creating
        sandboxes[id] = sandbox
        dirtySandboxIDs.insert(id)
        let outcome = await runtime.launch(sandbox, mounts: mountDirectories(of: sandbox), hooks: hooks(for: id))
        // The sandbox may have been terminated while launching.
        guard var current = sandboxes[id], current.phase == .creating else {
            if sandboxes[id]?.isLive == false { await runtime.stop(id: id) }
            return
        }
        switch outcome {
        case .running:
            current.phase = .running
            current.startedAt = clock()
            sandboxes[id] = current
            if let deadline = current.ttlDeadline { timers.schedule(.ttlCheck(sandboxID: id), at: deadline) }
        case .runningAfter(let delay, let exit):
            timers.schedule(.markRunning(sandboxID: id), at: now.adding(delay))
            if let exit { timers.schedule(.simulatedExit(sandboxID: id, code: exit.code), at: now.adding(delay).adding(exit.after)) }
        case .failed(let message):
            logBuffer.append(LocalLogLine(sandboxID: id, timestamp: clock(), line: "launch failed: \(message)", level: .error, execID: ""))
            current.finish(.failed, reason: .launchFailed, at: clock())
            sandboxes[id] = current
        }
        dirtySandboxIDs.insert(id)
    }

    private func markRunning(_ id: String, now: Date) {
        guard var sandbox = sandboxes[id], sandbox.phase == .creating else { return }
        sandbox.phase = .running
        sandbox.startedAt = now
        sandboxes[id] = sandbox
        dirtySandboxIDs.insert(id)
        if let deadline = sandbox.ttlDeadline { timers.schedule(.ttlCheck(sandboxID: id), at: deadline) }
    }

    /// Kills a random running sandbox out of band (`failed`, `backend_lost`), for fault injection.
    func killRandomRunning(using draw: (Int) -> Int) async -> String? {
        let running = creationOrder.filter { sandboxes[$0]?.phase == .running }
        guard !running.isEmpty else { return nil }
        let id = running[draw(running.count)]
        guard var sandbox = sandboxes[id] else { return nil }
        sandbox.finish(.failed, reason: .backendLost, at: clock())
        sandboxes[id] = sandbox
        dirtySandboxIDs.insert(id)
        let runtime = runtime
        Task { await runtime.stop(id: id) }
        return id
    }

    /// Number of running sandboxes.
    var runningCount: Int { sandboxes.values.reduce(0) { $0 + ($1.phase == .running ? 1 : 0) } }

    /// Stops every workload and records the live sandboxes of a runtime that does not survive a
    /// restart as `failed` with reason `backend_lost`. They are recorded first: an exit reported while
    /// the workloads are being stopped (the engine runs other calls during the wait) finds them ended
    /// already and is ignored, so a restart always reads `backend_lost`, never the signal's exit.
    func shutdown() async {
        if !runtime.survivesRestart {
            let now = clock()
            for id in creationOrder {
                guard var sandbox = sandboxes[id], sandbox.isLive else { continue }
                sandbox.finish(.failed, reason: .backendLost, at: now)
                sandboxes[id] = sandbox
                dirtySandboxIDs.insert(id)
            }
        }
        _ = await runtime.stopAll()
        flush()
    }
}
