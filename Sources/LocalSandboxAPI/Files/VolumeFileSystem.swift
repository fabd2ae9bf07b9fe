import Foundation
import PorterSandbox

/// The files of one disk volume: listing, ranged reads, atomic writes and moves, with every path
/// confined to the volume's directory (`..`, NUL and symlinks leading out are refused with 400).
struct VolumeFileSystem {
    let root: URL
    let fileManager = FileManager.default

    /// A path relative to the root, as components; accepts `/a/b`, `a/b`, `/`, `` (root).
    static func components(of path: String) throws -> [String] {
        guard !path.contains("\0") else { throw LocalAPIError.badRequest("path contains a NUL byte") }
        let parts = path.split(separator: "/").map(String.init).filter { $0 != "." }
        if parts.contains("..") { throw LocalAPIError.badRequest("path '\(path)' escapes the volume ('..' is not allowed)") }
        return parts
    }

    /// The `/`-rooted form of a path.
    static func display(_ components: [String]) -> String { "/" + components.joined(separator: "/") }

    /// The URL of a path inside the volume, after checking no symlink on the way leads out of it.
    func resolve(_ components: [String]) throws -> URL {
        var url = root
        let rootReal = root.resolvingSymlinksInPath().path
        for component in components {
            url.appendPathComponent(component)
            if (try? fileManager.destinationOfSymbolicLink(atPath: url.path)) != nil {
                let real = url.resolvingSymlinksInPath().path
                guard real == rootReal || real.hasPrefix(rootReal + "/") else {
                    throw LocalAPIError.badRequest("path '\(Self.display(components))' leads out of the volume through a symbolic link")
                }
            }
        }
        return url
    }

    func isDirectory(_ url: URL) -> Bool? {
        var directory: ObjCBool = false
        guard fileManager.fileExists(atPath: url.path, isDirectory: &directory) else { return nil }
        return directory.boolValue
    }

    // MARK: Listing

    /// Breadth-first walk up to `budget` entries; with `search`, the tree pruned to entries whose
    /// name contains it (case-insensitively) and the directories holding them.
    func list(path: String, search: String?, budget: Int) throws -> VolumeFileListing {
        let components = try Self.components(of: path)
        let directory = try resolve(components)
        guard let isDirectory = isDirectory(directory) else {
            throw LocalAPIError.notFound("no directory '\(Self.display(components))' in the volume")
        }
        guard isDirectory else { throw LocalAPIError.badRequest("'\(Self.display(components))' is a file, not a directory") }
        let top = Node(url: directory, name: "", isDirectory: true)
        var queue: [Node] = [top]
        var used = 0
        var stoppedEarly = false
        var head = 0
        let scanBudget = search == nil ? budget : max(budget, 100_000)
        while head < queue.count {
            let node = queue[head]
            head += 1
            let children = entries(of: node.url)
            if used + children.count > scanBudget {
                // A directory that does not fit is left unread (so clients list it again by path),
                // except the listed directory itself, which is read as far as the budget goes.
                if node === top {
                    node.children = Array(children.prefix(scanBudget))
                } else {
                    node.children = nil
                }
                node.truncated = true
                stoppedEarly = true
                for pending in queue[head...] { pending.truncated = true }
                break
            }
            node.children = children
            used += children.count
            queue.append(contentsOf: children.filter(\.isDirectory))
        }
        var entries = top.children?.map { $0.entry() } ?? []
        if let search, !search.isEmpty {
            entries = Self.prune(entries, query: search.lowercased())
        }
        return VolumeFileListing(path: Self.display(components), entries: entries, truncated: stoppedEarly)
    }

    /// Entries kept by a search: matching names, and directories with matches below them.
    static func prune(_ entries: [VolumeFileEntry], query: String) -> [VolumeFileEntry] {
        entries.compactMap { entry in
            var entry = entry
            let children = entry.entries.map { prune($0, query: query) } ?? []
            let matches = entry.name.lowercased().contains(query)
            guard matches || !children.isEmpty else { return nil }
            if entry._type == .directory { entry.entries = children }
            return entry
        }
    }

    private func entries(of directory: URL) -> [Node] {
        let names = (try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? []
        let nodes = names.map { name -> Node in
            let url = directory.appendingPathComponent(name)
            return Node(url: url, name: name, isDirectory: isDirectory(url) ?? false)
        }
        return nodes.sorted { ($0.isDirectory ? 0 : 1, $0.name) < ($1.isDirectory ? 0 : 1, $1.name) }
    }

    private final class Node {
        let url: URL
        let name: String
        let isDirectory: Bool
        var children: [Node]?
        var truncated = false

        init(url: URL, name: String, isDirectory: Bool) {
            self.url = url
            self.name = name
            self.isDirectory = isDirectory
        }

        func entry() -> VolumeFileEntry {
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
            let modified = attributes?[.modificationDate] as? Date
            let size = isDirectory ? 0 : (attributes?[.size] as? NSNumber)?.int64Value ?? 0
            return VolumeFileEntry(
                name: name,
                _type: isDirectory ? .directory : .file,
                sizeBytes: size,
                modifiedAt: modified.map { Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.down)) },
                truncated: isDirectory && truncated ? true : nil,
                entries: isDirectory ? children?.map { $0.entry() } : nil
            )
        }
    }

    // MARK: Reading

    /// A file's bytes, whole or one range. An empty file is always whole (200, no Content-Range).
    func read(path: String, rangeHeader: String?) throws -> (data: Data, range: ContentRange?, modified: Date?) {
        let components = try Self.components(of: path)
        guard !components.isEmpty else { throw LocalAPIError.badRequest("path '/' is the volume root, not a file") }
        let url = try resolve(components)
        guard let isDirectory = isDirectory(url) else { throw LocalAPIError.notFound("no file '\(Self.display(components))' in the volume") }
        guard !isDirectory else { throw LocalAPIError.badRequest("'\(Self.display(components))' is a directory") }
        let attributes = try? fileManager.attributesOfItem(atPath: url.path)
        let modified = attributes?[.modificationDate] as? Date
        let size = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw LocalAPIError.notFound("file '\(Self.display(components))' cannot be read")
        }
        defer { try? handle.close() }
        guard size > 0, let rangeHeader, let (start, end) = try Self.parseRange(rangeHeader, size: size) else {
            return (try handle.readToEnd() ?? Data(), nil, modified)
        }
        try handle.seek(toOffset: UInt64(start))
        let data = try handle.read(upToCount: Int(end - start + 1)) ?? Data()
        return (data, ContentRange(start: start, end: start + Int64(data.count) - 1, size: size), modified)
    }

    /// The inclusive byte range of a single-range `Range` header, nil to answer the whole file
    /// (multi-range or unknown units), or `rangeNotSatisfiable`.
    static func parseRange(_ header: String, size: Int64) throws -> (Int64, Int64)? {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("bytes="), !text.contains(",") else { return nil }
        let spec = text.dropFirst(6)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw LocalAPIError.rangeNotSatisfiable("Range '\(header)' is malformed") }
        let first = Int64(parts[0])
        let last = Int64(parts[1])
        switch (parts[0].isEmpty, parts[1].isEmpty) {
        case (true, false):
            guard let length = last, length > 0 else { throw LocalAPIError.rangeNotSatisfiable("Range '\(header)' is empty") }
            return (max(0, size - length), size - 1)
        case (false, _):
            guard let start = first, start >= 0 else { throw LocalAPIError.rangeNotSatisfiable("Range '\(header)' is malformed") }
            guard start < size else {
                throw LocalAPIError.rangeNotSatisfiable("Range '\(header)' starts past the end of the \(size)-byte file")
            }
            if parts[1].isEmpty { return (start, size - 1) }
            guard let end = last, end >= start else { throw LocalAPIError.rangeNotSatisfiable("Range '\(header)' is malformed") }
            return (start, min(end, size - 1))
        default:
            throw LocalAPIError.rangeNotSatisfiable("Range '\(header)' is malformed")
        }
    }

    // MARK: Writing and moving

    /// Writes a file atomically: the body is staged in `staging` and renamed into place only once it
    /// has fully arrived, so a failed upload leaves the previous content. Parent directories are created.
    func write<Body: AsyncSequence>(path: String, body: Body, staging: URL, maxBytes: Int64) async throws
    where Body.Element == ArraySlice<UInt8> {
        let components = try Self.components(of: path)
        guard !components.isEmpty else { throw LocalAPIError.badRequest("cannot write to the volume root") }
        let url = try resolve(components)
        if isDirectory(url) == true { throw LocalAPIError.conflict("'\(Self.display(components))' is a directory") }
        let parent = url.deletingLastPathComponent()
        if isDirectory(parent) == false {
            throw LocalAPIError.conflict("a parent of '\(Self.display(components))' is a file")
        }
        try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
        let staged = staging.appendingPathComponent(UUID().uuidString)
        guard fileManager.createFile(atPath: staged.path, contents: nil), let handle = FileHandle(forWritingAtPath: staged.path) else {
            throw LocalAPIError(status: .internalServerError, message: "could not stage the upload")
        }
        var written: Int64 = 0
        do {
            for try await chunk in body {
                written += Int64(chunk.count)
                if written > maxBytes { throw LocalAPIError.tooLarge("the file is larger than the \(maxBytes)-byte limit of one write") }
                try handle.write(contentsOf: chunk)
            }
            try handle.close()
            try fileManager.createDirectory(at: parent, withIntermediateDirectories: true)
            if rename(staged.path, url.path) != 0 {
                throw LocalAPIError(status: .internalServerError, message: "could not move the upload into place (errno \(errno))")
            }
        } catch {
            try? handle.close()
            try? fileManager.removeItem(at: staged)
            throw error
        }
    }

    /// Moves a file or directory to a new full path; nothing is overwritten, the destination's parent
    /// must exist, and the root can be neither moved nor replaced.
    func move(from: String, to: String) throws {
        let source = try Self.components(of: from)
        let destination = try Self.components(of: to)
        guard !source.isEmpty, !destination.isEmpty else { throw LocalAPIError.badRequest("the volume root can be neither moved nor overwritten") }
        if destination.count > source.count, Array(destination.prefix(source.count)) == source {
            throw LocalAPIError.badRequest("cannot move '\(Self.display(source))' into itself")
        }
        let sourceURL = try resolve(source)
        let destinationURL = try resolve(destination)
        guard isDirectory(sourceURL) != nil else { throw LocalAPIError.notFound("no file or directory '\(Self.display(source))'") }
        guard isDirectory(destinationURL.deletingLastPathComponent()) == true else {
            throw LocalAPIError.notFound("the parent directory of '\(Self.display(destination))' does not exist")
        }
        guard isDirectory(destinationURL) == nil, (try? fileManager.destinationOfSymbolicLink(atPath: destinationURL.path)) == nil else {
            throw LocalAPIError.conflict("'\(Self.display(destination))' already exists; a move never overwrites")
        }
        guard rename(sourceURL.path, destinationURL.path) == 0 else {
            throw LocalAPIError(status: .internalServerError, message: "move failed (errno \(errno))")
        }
    }
}
