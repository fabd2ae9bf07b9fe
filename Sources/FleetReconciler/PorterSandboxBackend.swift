import Foundation
import PorterSandbox

/// ``SandboxBackend`` on the PorterSandbox SDK, for Porter or the local Sandbox API.
public struct PorterSandboxBackend: SandboxBackend {
    /// The client.
    public let porter: Porter

    /// A backend using `porter`.
    public init(porter: Porter) { self.porter = porter }

    public func liveSandboxes(tags: [String: String]) async throws -> [ObservedSandbox] {
        try await sandboxes(tags: tags, phases: [.queued, .creating, .running])
    }

    public func endedSandboxes(tags: [String: String]) async throws -> [ObservedSandbox] {
        try await sandboxes(tags: tags, phases: [.succeeded, .failed, .terminated])
    }

    private func sandboxes(tags: [String: String], phases: [SandboxPhaseFilter]) async throws -> [ObservedSandbox] {
        var result: [ObservedSandbox] = []
        var page = 1
        while true {
            let response = try await porter.sandboxes.listStatuses(tags: tags, phases: phases, page: page)
            result.reserveCapacity(result.count + response.sandboxes.count)
            for status in response.sandboxes { result.append(ObservedSandbox(status)) }
            guard response.pagination.hasNextPage, !response.sandboxes.isEmpty else { return result }
            page += 1
        }
    }

    public func sandbox(id: String) async throws -> ObservedSandbox? {
        do {
            return ObservedSandbox(try await porter.sandboxes.status(id: id))
        } catch let error as PorterError where error.kind == .notFound {
            return nil
        }
    }

    /// One GET: the list filtered by name prefix, in every phase (a terminated sandbox keeps its name),
    /// then the exact name. Further pages only when more names than a page start with this one.
    public func sandbox(named name: String) async throws -> ObservedSandbox? {
        var page = 1
        while true {
            let response = try await porter.sandboxes.listStatuses(phases: SandboxPhaseFilter.allCases, search: name, page: page)
            if let match = response.sandboxes.first(where: { $0.name == name }) { return ObservedSandbox(match) }
            guard response.pagination.hasNextPage, !response.sandboxes.isEmpty else { return nil }
            page += 1
        }
    }

    public func createSandbox(_ spec: SandboxSpec) async throws -> String {
        try await porter.sandboxes.create(spec).id
    }

    public func terminateSandbox(id: String) async throws {
        do {
            try await porter.sandboxes.terminate(id: id)
        } catch let error as PorterError where error.kind == .notFound {
            return
        }
    }

    public func volumes() async throws -> [ObservedVolume] {
        try await porter.volumes.list().map { ObservedVolume(id: $0.id, name: $0.name, phase: $0.phase, attachedTo: $0.attachedTo) }
    }

    public func createVolume(name: String) async throws -> ObservedVolume {
        let volume = try await porter.volumes.create(name: name)
        return ObservedVolume(id: volume.id, name: volume.name, phase: volume.phase, attachedTo: volume.attachedTo)
    }

    public func deleteVolume(id: String) async throws {
        do {
            try await porter.volumes.delete(id: id)
        } catch let error as PorterError where error.kind == .notFound {
            return
        }
    }
}
