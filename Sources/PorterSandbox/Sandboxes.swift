import Foundation
import OpenAPIRuntime

/// The sandbox operations of the API (`porter.sandboxes`).
public struct Sandboxes: Sendable {
    /// The generated client these calls go through.
    public let raw: Client

    init(client: Client) {
        self.raw = client
    }

    /// Creates a sandbox from every field of `SandboxSpec` (`POST /v1/sandbox/run`).
    ///
    /// The sandbox is recorded and queued; the handle holds its id and name, and ``Sandbox/phase``
    /// is nil until ``Sandbox/refresh()``. Poll until `running` before ``Sandbox/exec(_:timeout:)``.
    public func create(
        image: String? = nil,
        snapshotID: String? = nil,
        name: String? = nil,
        tags: [String: String]? = nil,
        command: [String]? = nil,
        args: [String]? = nil,
        env: [String: String]? = nil,
        envGroups: [String]? = nil,
        volumeMounts: [String: String]? = nil,
        networking: [SandboxNetworkingSpec]? = nil,
        egress: SandboxEgressSpec? = nil,
        resources: SandboxResourcesSpec? = nil,
        ttlSeconds: Int? = nil
    ) async throws -> Sandbox {
        try await create(
            SandboxSpec(
                image: image,
                snapshotId: snapshotID,
                name: name,
                tags: .init(tags),
                command: command,
                args: args,
                env: .init(env),
                envGroups: envGroups,
                volumeMounts: .init(volumeMounts),
                networking: networking,
                egress: egress,
                resources: resources,
                ttlSeconds: ttlSeconds.map(Int64.init)
            )
        )
    }

    /// Creates a sandbox from a complete spec (`POST /v1/sandbox/run`).
    public func create(_ spec: SandboxSpec) async throws -> Sandbox {
        let created = try await PorterCall.perform { try await raw.createSandbox(body: .json(spec)).successful.body.json }
        return Sandbox(id: created.id, name: created.name, client: raw)
    }

    /// The id of the sandbox with this name (`GET /v1/sandbox/lookup`); `notFound` when there is none.
    public func lookup(name: String) async throws -> String {
        try await PorterCall.perform { try await raw.lookupSandbox(query: .init(name: name)).ok.body.json.id }
    }

    /// The sandbox with this name, with its status fetched (lookup, then `GET /v1/sandbox/{id}`).
    public func get(name: String) async throws -> Sandbox {
        try await get(id: lookup(name: name))
    }

    /// The status of the sandbox with this id, in one request (`GET /v1/sandbox/{id}`).
    public func status(id: String) async throws -> SandboxStatus {
        try await PorterCall.perform { try await raw.getSandbox(path: .init(id: id)).ok.body.json }
    }

    /// Terminates the sandbox with this id (`DELETE /v1/sandbox/{id}`), without fetching it first; a
    /// sandbox already terminal is left as it is.
    public func terminate(id: String, source: TerminationSource? = nil) async throws {
        _ = try await PorterCall.perform { try await raw.deleteSandbox(path: .init(id: id), query: .init(source: source)).successful }
    }

    /// The sandbox with this id, with its status fetched (`GET /v1/sandbox/{id}`).
    public func get(id: String) async throws -> Sandbox {
        let sandbox = Sandbox(id: id, name: nil, client: raw)
        _ = try await sandbox.refresh()
        return sandbox
    }

    /// One page of sandboxes (`GET /v1/sandbox`), with its pagination and, when asked, filter values.
    ///
    /// - Parameters:
    ///   - tags: exact `key=value` tags a sandbox must all carry (sent as repeated `tag=k=v`).
    ///   - phases: phases to include (any of them).
    ///   - search: a name prefix.
    ///   - image: an image filter.
    ///   - startTime: lower bound of the creation-time window (RFC 3339).
    ///   - endTime: upper bound of the creation-time window (RFC 3339).
    ///   - includeFilterValues: also return cluster-wide tags, images and phases.
    ///   - page: the 1-based page number.
    public func list(
        tags: [String: String] = [:],
        phases: [SandboxPhaseFilter] = [],
        search: String? = nil,
        image: String? = nil,
        startTime: String? = nil,
        endTime: String? = nil,
        includeFilterValues: Bool? = nil,
        page: Int? = nil
    ) async throws -> SandboxPage {
        let query = Operations.ListSandboxes.Input.Query(
            startTime: startTime,
            endTime: endTime,
            search: search,
            tag: Self.tagQuery(tags),
            phase: phases.isEmpty ? nil : phases,
            image: image,
            includeFilterValues: includeFilterValues,
            page: page.map(Int64.init)
        )
        let response = try await PorterCall.perform { try await raw.listSandboxes(query: query).ok.body.json }
        return SandboxPage(
            sandboxes: response.sandboxes.map { Sandbox(status: $0, client: raw) },
            pagination: response.pagination,
            filterValues: response.filterValues
        )
    }

    /// One page of statuses as the API sends them, without handles (for callers that list a lot).
    public func listStatuses(
        tags: [String: String] = [:], phases: [SandboxPhaseFilter] = [], search: String? = nil, page: Int
    ) async throws -> Components.Schemas.ListResponse {
        let query = Operations.ListSandboxes.Input.Query(
            search: search, tag: Self.tagQuery(tags), phase: phases.isEmpty ? nil : phases, page: Int64(page))
        return try await PorterCall.perform { try await raw.listSandboxes(query: query).ok.body.json }
    }

    /// Every sandbox matching the filters, page after page, fetched lazily as the sequence is iterated.
    public func all(
        tags: [String: String] = [:],
        phases: [SandboxPhaseFilter] = [],
        search: String? = nil,
        image: String? = nil,
        startTime: String? = nil,
        endTime: String? = nil
    ) -> SandboxSequence {
        SandboxSequence { page in
            try await list(
                tags: tags, phases: phases, search: search, image: image, startTime: startTime, endTime: endTime,
                page: page
            )
        }
    }

    /// Creation counts in fixed-width buckets, oldest first (`GET /v1/sandbox/counts`).
    public func counts(
        tags: [String: String] = [:],
        phases: [SandboxPhaseFilter] = [],
        search: String? = nil,
        image: String? = nil,
        startTime: String? = nil,
        endTime: String? = nil
    ) async throws -> SandboxCounts {
        let query = Operations.SandboxCounts.Input.Query(
            startTime: startTime,
            endTime: endTime,
            search: search,
            tag: Self.tagQuery(tags),
            phase: phases.isEmpty ? nil : phases,
            image: image
        )
        return try await PorterCall.perform { try await raw.sandboxCounts(query: query).ok.body.json }
    }

    /// Tags as repeated `key=value` query values, in key order so requests are reproducible.
    package static func tagQuery(_ tags: [String: String]) -> [String]? {
        guard !tags.isEmpty else { return nil }
        return tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }
}

/// One page of a sandbox list.
public struct SandboxPage: Sendable {
    /// The sandboxes on this page, each with its status cached.
    public var sandboxes: [Sandbox]
    /// Which page this is and whether more follow.
    public var pagination: Pagination
    /// Cluster-wide filter values, when asked for.
    public var filterValues: FilterValues?
}

/// Every sandbox of a listing, fetching page after page while `has_next_page` is true.
public struct SandboxSequence: AsyncSequence, Sendable {
    /// Each element is a sandbox with its status cached.
    public typealias Element = Sandbox
    /// Errors are ``PorterError``s.
    public typealias Failure = any Error

    let fetchPage: @Sendable (Int) async throws -> SandboxPage

    /// Iterates page by page.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let fetchPage: @Sendable (Int) async throws -> SandboxPage
        var buffer: [Sandbox] = []
        var nextPage: Int? = 1

        /// The next sandbox, fetching the next page when this one is used up.
        public mutating func next() async throws -> Sandbox? {
            while buffer.isEmpty {
                guard let page = nextPage else { return nil }
                let result = try await fetchPage(page)
                buffer = result.sandboxes.reversed()
                nextPage = result.pagination.hasNextPage && !result.sandboxes.isEmpty ? page + 1 : nil
            }
            return buffer.popLast()
        }
    }

    /// Starts at page 1.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(fetchPage: fetchPage) }
}
