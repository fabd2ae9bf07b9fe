import Foundation
import PorterSandbox
import PorterSandboxListing
import Synchronization

/// ``SandboxBackend`` on the PorterSandbox SDK, for Porter or the local Sandbox API.
public struct PorterSandboxBackend: SandboxBackend {
    /// The client.
    public let porter: Porter

    /// Live listings: page digests, pages read from their bytes (`PorterSandboxListing`).
    private let listing: StatusListing
    /// The live pages last read, by their tags: a page whose body comes back the same is not decoded again.
    private let livePages = LivePageCache()

    /// A backend using `porter`.
    public init(porter: Porter) { self.init(porter: porter, listingOptions: ListingOptions()) }

    /// A backend whose live listings read pages as `listingOptions` say (the benchmark compares them).
    package init(porter: Porter, listingOptions: ListingOptions) {
        self.porter = porter
        self.listing = StatusListing(porter: porter, options: listingOptions)
    }

    public func liveSandboxes(tags: [String: String]) async throws -> [ObservedSandbox] {
        try await liveListing(tags: tags).sandboxes
    }

    /// Every page of live sandboxes; a page whose body has the digest it had when last read here is
    /// taken from then, not decoded again. The fingerprint is the pages' digests.
    public func liveListing(tags: [String: String]) async throws -> LiveListing {
        var sandboxes: [ObservedSandbox] = []
        var digests: [BodyDigest] = []
        var pages: [LivePageCache.Page] = []
        let known = livePages.pages(for: tags)
        while true {
            let number = pages.count + 1
            let previous = known.count >= number ? known[number - 1] : nil
            let answer = try await listing.page(tags: tags, phases: Self.livePhases, page: number, knownDigest: previous?.digest)
            let page =
                if let response = answer.response {
                    LivePageCache.Page(
                        digest: answer.digest, sandboxes: response.sandboxes.map(ObservedSandbox.init),
                        hasNext: response.pagination.hasNextPage && !response.sandboxes.isEmpty)
                } else {
                    previous ?? LivePageCache.Page(digest: answer.digest, sandboxes: [], hasNext: false)
                }
            pages.append(page)
            digests.append(page.digest)
            sandboxes.append(contentsOf: page.sandboxes)
            guard page.hasNext else { break }
        }
        livePages.remember(pages, for: tags)
        return LiveListing(sandboxes: sandboxes, fingerprint: ListingFingerprint(pages: digests))
    }

    private static let livePhases: [SandboxPhaseFilter] = [.queued, .creating, .running]

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

/// The pages of the last live listing of each tag filter, decoded: a backend lists the same fleet every
/// pass, and most passes get the same bytes back.
final class LivePageCache: Sendable {
    /// One page as decoded, with the digest of its body.
    struct Page: Sendable {
        var digest: BodyDigest
        var sandboxes: [ObservedSandbox]
        var hasNext: Bool
    }

    private let pagesByTags = Mutex<[[String: String]: [Page]]>([:])

    /// The pages last read for `tags`.
    func pages(for tags: [String: String]) -> [Page] {
        pagesByTags.withLock { $0[tags] ?? [] }
    }

    /// Keeps `pages` as the latest for `tags`.
    func remember(_ pages: [Page], for tags: [String: String]) {
        pagesByTags.withLock { $0[tags] = pages }
    }
}
