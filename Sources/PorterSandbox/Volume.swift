import Foundation
import OpenAPIRuntime
import Synchronization

/// A handle on one volume, addressed by id, caching the last record it fetched.
///
/// File methods work on disk volumes. Every path is normalised as the official SDKs do: leading and
/// trailing `/` are stripped and one `/` is prefixed (`"a/b/"` → `"/a/b"`, `""` → `"/"`).
public final class Volume: Sendable, Identifiable {
    /// The volume's id; every operation addresses it.
    public let id: String
    private let cachedRecord: Mutex<VolumeRecord>
    private let client: Client

    init(record: VolumeRecord, client: Client) {
        self.id = record.id
        self.cachedRecord = Mutex(record)
        self.client = client
    }

    /// The last record fetched.
    public var record: VolumeRecord { cachedRecord.withLock { $0 } }
    /// The volume's name.
    public var name: String { record.name }
    /// `disk` or `object`.
    public var type: VolumeType { record._type }
    /// The provisioning phase.
    public var phase: VolumePhase { record.phase }
    /// Ids of the sandboxes it is attached to.
    public var attachedTo: [String] { record.attachedTo }
    /// When it was created.
    public var createdAt: Date { record.createdAt }
    /// Its subdirectory on the shared sandbox-volumes disk; empty for object volumes.
    public var path: String { record.path }
    /// The bucket an object volume exposes.
    public var object: VolumeObjectSpec? { record.object }

    /// Fetches the record (`GET /v1/volume/{id}`), caches and returns it.
    @discardableResult
    public func refresh() async throws -> VolumeRecord {
        let record = try await PorterCall.perform { try await client.getVolume(path: .init(id: id)).ok.body.json }
        cachedRecord.withLock { $0 = record }
        return record
    }

    /// Deletes the volume (`DELETE /v1/volume/{id}`); refused with `conflict` while a sandbox is attached.
    public func delete() async throws {
        _ = try await PorterCall.perform { try await client.deleteVolume(path: .init(id: id)).successful }
    }

    /// Lists a directory tree, breadth-first up to the server's budget (`GET /v1/volume/{id}/files`).
    ///
    /// - Parameters:
    ///   - path: the directory to walk (root by default).
    ///   - search: prune to entries whose name contains this, case-insensitively.
    public func listFiles(path: String = "/", search: String? = nil) async throws -> VolumeFileListing {
        let path = Self.normalize(path)
        return try await PorterCall.perform {
            try await client.listVolumeFiles(path: .init(id: id), query: .init(path: path, search: search)).ok.body.json
        }
    }

    /// Every entry under `path`, depth first, re-listing directories the server left truncated
    /// and unread (the official SDKs' `iterdir`).
    public func walk(path: String = "/") async throws -> [VolumeFile] {
        var found: [VolumeFile] = []
        var pending: [String] = [Self.normalize(path)]
        while let directory = pending.popLast() {
            let listing = try await listFiles(path: directory)
            var stack = listing.entries.reversed().map { (directory, $0) }
            while let (parent, entry) = stack.popLast() {
                let file = VolumeFile(parent: parent, entry: entry)
                found.append(file)
                if let children = entry.entries {
                    stack.append(contentsOf: children.reversed().map { (file.path, $0) })
                } else if file.isDirectory, entry.truncated == true {
                    pending.insert(file.path, at: 0)
                }
            }
        }
        return found
    }

    /// Reads a file, whole or one byte range (`GET /v1/volume/{id}/files/content`). No client timeout.
    public func readFile(path: String, range: ByteRange? = nil) async throws -> VolumeFileContent {
        let client = client
        let id = id
        let path = Self.normalize(path)
        return try await PorterCall.perform {
            let output = try await client.readVolumeFile(
                path: .init(id: id),
                query: .init(path: path),
                headers: .init(range: range?.headerValue, accept: [.init(contentType: .binary)])
            )
            switch output {
            case .ok(let ok):
                let data = try await Data(collecting: ok.body.binary, upTo: .max)
                return VolumeFileContent(data: data, contentRange: nil, lastModified: ok.headers.lastModified.flatMap(HTTPDate.parse))
            case .partialContent(let partial):
                let data = try await Data(collecting: partial.body.binary, upTo: .max)
                guard let contentRange = ContentRange(headerValue: partial.headers.contentRange) else {
                    throw PorterError(
                        kind: .invalidResponse,
                        statusCode: 206,
                        message: "Content-Range '\(partial.headers.contentRange)' is not 'bytes <start>-<end>/<size>'"
                    )
                }
                return VolumeFileContent(
                    data: data, contentRange: contentRange, lastModified: partial.headers.lastModified.flatMap(HTTPDate.parse))
            case .default(let status, _):
                throw PorterError.forStatus(status, body: nil)
            }
        }
    }

    /// Reads a file in ranged chunks (8 MiB by default), as the official SDKs' `stream` does: it
    /// stops at the end of the file or at an answer without `Content-Range`.
    public func stream(path: String, chunkSize: Int64 = 8 << 20) -> VolumeFileStream {
        VolumeFileStream(chunkSize: max(1, chunkSize)) { range in
            try await self.readFile(path: path, range: range)
        }
    }

    /// Writes a file atomically, creating parent directories and replacing anything there
    /// (`PUT /v1/volume/{id}/files/content`). No client timeout unless `timeout` is given.
    public func writeFile(path: String, data: Data, timeout: Duration? = nil) async throws {
        let client = client
        let id = id
        let path = Self.normalize(path)
        _ = try await PorterCall.perform(timeout: timeout) {
            try await client.writeVolumeFile(path: .init(id: id), query: .init(path: path), body: .binary(HTTPBody(data)))
                .successful
        }
    }

    /// Moves or renames a file or directory; `to` is the full new path and must not exist
    /// (`POST /v1/volume/{id}/files/move`).
    public func moveFile(from: String, to: String) async throws {
        let request = Components.Schemas.VolumeFileMoveRequest(from: Self.normalize(from), to: Self.normalize(to))
        _ = try await PorterCall.perform {
            try await client.moveVolumeFile(path: .init(id: id), body: .json(request)).successful
        }
    }

    /// The official SDKs' path normalisation: strip leading and trailing `/`, prefix one `/`.
    public static func normalize(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.hasPrefix("/") { trimmed = trimmed.dropFirst() }
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return "/" + trimmed
    }
}
