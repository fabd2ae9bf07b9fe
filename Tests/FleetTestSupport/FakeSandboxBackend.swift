import FleetReconciler
import Foundation
import PorterSandbox
import PorterSandboxListing
import Synchronization

/// An in-memory Sandbox API behind the ``SandboxBackend`` seam, for controller tests without sockets.
///
/// Sandboxes are created `running`, names are
/// never reused, and the fleet tag filters listings as the real API does. Scriptable: every call can
/// be made to fail, and a create or terminate can take effect while its answer is lost (a dropped
/// response), which is what makes idempotent creates necessary.
public final class FakeSandboxBackend: SandboxBackend {
    /// What a scripted fault does to one call.
    public enum Fault: Sendable, Equatable {
        /// The call fails with this error kind and does nothing.
        case fail(PorterError.Kind)
        /// The call takes effect, then its answer is lost (a transport error).
        case dropAnswer
    }

    /// The API calls, for scripting faults.
    public enum Call: String, Sendable, CaseIterable {
        case list, get, lookup, create, terminate, volumes, createVolume, deleteVolume
    }

    private struct State {
        var sandboxes: [String: ObservedSandbox] = [:]
        var order: [String] = []
        var volumes: [String: ObservedVolume] = [:]
        /// The `ttl_seconds` of sandboxes created with one, by id.
        var lifetimes: [String: TimeInterval] = [:]
        var counter = 0
        var calls: [Call: Int] = [:]
    }

    private let state = Mutex(State())
    private let faults: @Sendable (Call) -> Fault?
    private let now: @Sendable () -> Date

    /// A backend; `faults` decides per call whether it fails (nil: it works).
    public init(now: @escaping @Sendable () -> Date = { Date() }, faults: @escaping @Sendable (Call) -> Fault? = { _ in nil }) {
        self.now = now
        self.faults = faults
    }

    /// Calls made, by kind.
    public func calls(_ call: Call) -> Int { state.withLock { $0.calls[call] ?? 0 } }

    /// Every sandbox ever created, oldest first.
    public var allSandboxes: [ObservedSandbox] { state.withLock { state in state.order.compactMap { state.sandboxes[$0] } } }

    /// Puts a sandbox there that porter-fleet did not create (another fleet's, or untagged).
    public func seed(name: String, tags: [String: String], phase: SandboxPhase = .running) {
        state.withLock { state in
            state.counter += 1
            let id = "seed-\(state.counter)"
            state.sandboxes[id] = ObservedSandbox(id: id, name: name, tags: tags, phase: phase, createdAt: now(), startedAt: now())
            state.order.append(id)
        }
    }

    /// Puts a volume there that porter-fleet did not create; returns its id.
    @discardableResult
    public func seedVolume(name: String) -> String {
        state.withLock { state in
            state.counter += 1
            let id = "seed-vol-\(state.counter)"
            state.volumes[id] = ObservedVolume(id: id, name: name, phase: .ready, attachedTo: [])
            return id
        }
    }

    /// Every volume, by id.
    public var allVolumes: [String: ObservedVolume] { state.withLock { $0.volumes } }

    /// Ends a sandbox out of band (it crashed, or its TTL ran out).
    public func end(name: String, phase: SandboxPhase, exitCode: Int? = nil, reason: TerminationReason = .workloadExited) {
        state.withLock { state in
            guard let id = state.sandboxes.first(where: { $0.value.name == name })?.key else { return }
            state.sandboxes[id]?.phase = phase
            state.sandboxes[id]?.exitCode = exitCode
            state.sandboxes[id]?.terminationReason = reason
            state.sandboxes[id]?.finishedAt = now()
        }
    }

    /// Ends every live sandbox whose `ttl_seconds` has run out by now, as the API does (`terminated`,
    /// `ttl_expired`, finished at its deadline); returns their names. Time moves only when a test moves it,
    /// so a test calls this after moving its clock.
    @discardableResult
    public func expireLifetimes() -> [String] {
        let now = now()
        return state.withLock { state in
            var expired: [String] = []
            for id in state.order {
                guard let sandbox = state.sandboxes[id], !sandbox.phase.isTerminal, let lifetime = state.lifetimes[id] else { continue }
                let deadline = (sandbox.startedAt ?? sandbox.createdAt).addingTimeInterval(lifetime)
                guard deadline <= now else { continue }
                state.sandboxes[id]?.phase = .terminated
                state.sandboxes[id]?.terminationReason = .ttlExpired
                state.sandboxes[id]?.finishedAt = deadline
                expired.append(sandbox.name)
            }
            return expired
        }
    }

    /// The API restarted and lost every live sandbox, as the local API does on start-up (`failed`,
    /// `backend_lost`); returns their names.
    @discardableResult
    public func restart() -> [String] {
        let now = now()
        return state.withLock { state in
            var lost: [String] = []
            for id in state.order {
                guard let sandbox = state.sandboxes[id], !sandbox.phase.isTerminal else { continue }
                state.sandboxes[id]?.phase = .failed
                state.sandboxes[id]?.terminationReason = .backendLost
                state.sandboxes[id]?.finishedAt = now
                lost.append(sandbox.name)
            }
            return lost
        }
    }

    private func begin(_ call: Call) throws -> Fault? {
        state.withLock { $0.calls[call, default: 0] += 1 }
        let fault = faults(call)
        if case .fail(let kind) = fault { throw PorterError(kind: kind, message: "injected \(kind) on \(call.rawValue)") }
        return fault
    }

    private func finish(_ fault: Fault?, _ call: Call) throws {
        if fault == .dropAnswer { throw PorterError(kind: .transport, message: "injected: the answer to \(call.rawValue) was lost") }
    }

    public func liveSandboxes(tags: [String: String]) async throws -> [ObservedSandbox] {
        try finish(try begin(.list), .list)
        return state.withLock { state in
            state.order.reversed().compactMap { state.sandboxes[$0] }.filter { sandbox in
                !sandbox.phase.isTerminal && sandbox.carries(tags)
            }
        }
    }

    /// The live sandboxes with a fingerprint of every field listed, as the real API's page digests would
    /// give: the controller may then reuse a settled plan while nothing it lists changes.
    public func liveListing(tags: [String: String]) async throws -> LiveListing {
        let sandboxes = try await liveSandboxes(tags: tags)
        let text = sandboxes.map(\.fingerprintText).joined(separator: "\n")
        return LiveListing(sandboxes: sandboxes, fingerprint: ListingFingerprint(pages: [BodyDigest(hashing: Array(text.utf8))]))
    }

    public func endedSandboxes(tags: [String: String]) async throws -> [ObservedSandbox] {
        try finish(try begin(.list), .list)
        return state.withLock { state in
            state.order.reversed().compactMap { state.sandboxes[$0] }.filter { sandbox in
                sandbox.phase.isTerminal && sandbox.carries(tags)
            }
        }
    }

    public func sandbox(id: String) async throws -> ObservedSandbox? {
        try finish(try begin(.get), .get)
        return state.withLock { $0.sandboxes[id] }
    }

    public func sandbox(named name: String) async throws -> ObservedSandbox? {
        try finish(try begin(.lookup), .lookup)
        return state.withLock { state in state.sandboxes.values.first { $0.name == name } }
    }

    public func createSandbox(_ spec: SandboxSpec) async throws -> String {
        let fault = try begin(.create)
        let name = spec.name ?? UUID().uuidString.lowercased()
        let id = try state.withLock { state -> String in
            guard !state.sandboxes.values.contains(where: { $0.name == name }) else {
                throw PorterError(kind: .conflict, statusCode: 409, message: "sandbox name '\(name)' is already used")
            }
            state.counter += 1
            let id = "sb-\(state.counter)"
            state.sandboxes[id] = ObservedSandbox(
                id: id, name: name, tags: spec.tags?.additionalProperties ?? [:], phase: .running, image: spec.image ?? "",
                volumeMounts: spec.volumeMounts?.additionalProperties ?? [:], createdAt: now(), startedAt: now())
            state.order.append(id)
            if let lifetime = spec.ttlSeconds { state.lifetimes[id] = TimeInterval(lifetime) }
            return id
        }
        try finish(fault, .create)
        return id
    }

    public func terminateSandbox(id: String) async throws {
        let fault = try begin(.terminate)
        state.withLock { state in
            guard let sandbox = state.sandboxes[id], !sandbox.phase.isTerminal else { return }
            state.sandboxes[id]?.phase = .terminated
            state.sandboxes[id]?.terminationReason = .sdk
            state.sandboxes[id]?.finishedAt = now()
        }
        try finish(fault, .terminate)
    }

    public func volumes() async throws -> [ObservedVolume] {
        try finish(try begin(.volumes), .volumes)
        return state.withLock { state in
            var attached: [String: [String]] = [:]
            for sandbox in state.sandboxes.values where !sandbox.volumeMounts.isEmpty && !sandbox.phase.isTerminal {
                for volumeID in Set(sandbox.volumeMounts.values) { attached[volumeID, default: []].append(sandbox.id) }
            }
            return state.volumes.values.sorted { $0.name < $1.name }.map { volume in
                var volume = volume
                volume.attachedTo = attached[volume.id] ?? []
                return volume
            }
        }
    }

    public func createVolume(name: String) async throws -> ObservedVolume {
        let fault = try begin(.createVolume)
        let volume = try state.withLock { state -> ObservedVolume in
            guard !state.volumes.values.contains(where: { $0.name == name }) else {
                throw PorterError(kind: .conflict, statusCode: 409, message: "volume name '\(name)' is taken")
            }
            state.counter += 1
            let volume = ObservedVolume(id: "vol-\(state.counter)", name: name, phase: .ready, attachedTo: [])
            state.volumes[volume.id] = volume
            return volume
        }
        try finish(fault, .createVolume)
        return volume
    }

    public func deleteVolume(id: String) async throws {
        let fault = try begin(.deleteVolume)
        state.withLock { _ = $0.volumes.removeValue(forKey: id) }
        try finish(fault, .deleteVolume)
    }
}

extension ObservedSandbox {
    /// Whether it carries every tag given, as a tag filter of the API matches (the ownership tags read
    /// from their fields, without building the tag map: listings of a long test scan every sandbox).
    func carries(_ filter: [String: String]) -> Bool {
        filter.allSatisfy { key, value in
            switch key {
            case OwnershipTags.fleet: fleet == value
            case OwnershipTags.name: logicalName == value
            case OwnershipTags.specHash: specHash == value
            default: tags[key] == value
            }
        }
    }

    /// Every field, in a fixed order.
    var fingerprintText: String {
        func sorted(_ map: [String: String]) -> String { map.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") }
        let fields: [String] = [
            id, name, phase.rawValue, image, sorted(tags), sorted(volumeMounts), "\(createdAt.timeIntervalSince1970)",
            "\(startedAt?.timeIntervalSince1970 ?? -1)", "\(finishedAt?.timeIntervalSince1970 ?? -1)", "\(exitCode ?? -1)",
            terminationReason?.rawValue ?? "-",
        ]
        return fields.joined(separator: "|")
    }
}
