import Foundation
import PorterSandbox
import WireFormats

/// The files of one disk volume: listing, ranged reads, atomic writes and moves, with every path
/// confined to the volume's directory (`..`, NUL and symlinks leading out are refused with 400).
struct VolumeFileSystem {
    let root: URL
    /// Who gets what the server writes (files and the directories made for them), so sandboxes
    /// running as another user can change it; nil to leave the server's own user.
    var owner: SandboxUser?
    let fileManager = FileManager.default

    /// The longest name of one file or directory, in bytes (`NAME_MAX`).
    static let maximumNameBytes = 255
    /// The longest path, in bytes (`PATH_MAX`).
    static let maximumPathBytes = 4096

    /// A path relative to the root, as components; accepts `/a/b`, `a/b`, `/`, `` (root).
    static func components(of path: String) throws -> [String] {
        guard !path.contains("\0") else { throw LocalAPIError.badRequest("path contains a NUL byte") }
        guard path.utf8.count <= maximumPathBytes else {
            throw LocalAPIError.badRequest("path is longer than \(maximumPathBytes) bytes")
        }
        let parts = path.split(separator: "/").map(String.init).filter { $0 != "." }
        if parts.contains("..") { throw LocalAPIError.badRequest("path '\(path)' escapes the volume ('..' is not allowed)") }
        if let long = parts.first(where: { $0.utf8.count > maximumNameBytes }) {
            throw LocalAPIError.badRequest("the name '\(long.prefix(40))…' is \(long.utf8.count) bytes long; names are at most \(maximumNameBytes) bytes")
        }
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

    /// Opens a regular file for reading (see ``RegularFile``): links inside the volume are resolved
    /// first, checked to stay inside it, and the real path is then opened without following links.
    func openRegularFile(path: String) throws -> RegularFile {
        let components = try Self.components(of: path)
        let display = Self.display(components)
        guard !components.isEmpty else { throw LocalAPIError.badRequest("path '/' is the volume root, not a file") }
        let rootReal = root.resolvingSymlinksInPath().path
        let real = components.reduce(root) { $0.appendingPathComponent($1) }.resolvingSymlinksInPath().path
        guard real == rootReal || real.hasPrefix(rootReal + "/") else {
            throw LocalAPIError.badRequest("path '\(display)' leads out of the volume through a symbolic link")
        }
        let realComponents = real.dropFirst(rootReal.count).split(separator: "/").map(String.init)
        return try RegularFile.open(root: URL(fileURLWithPath: rootReal), components: realComponents, display: display)
    }

    /// The inclusive byte range a `Range` header asks for within `size` bytes, nil to answer the
    /// whole file (no header, an empty file, multiple ranges or another unit), or `rangeNotSatisfiable`.
    static func byteRange(_ header: String?, size: Int64) throws -> RangeRequest? {
        guard let header, size > 0 else { return nil }
        do {
            return try RangeRequest.parse(header, size: size)
        } catch .empty {
            throw LocalAPIError.rangeNotSatisfiable("Range '\(header)' is empty")
        } catch .startsPastEnd {
            throw LocalAPIError.rangeNotSatisfiable("Range '\(header)' starts past the end of the \(size)-byte file")
        } catch .malformed {
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
            try createDirectories(parent)
            try owner?.own(staged.path)
            if rename(staged.path, url.path) != 0 {
                throw LocalAPIError(status: .internalServerError, message: "could not move the upload into place (errno \(errno))")
            }
        } catch {
            try? handle.close()
            try? fileManager.removeItem(at: staged)
            throw error
        }
    }

    /// Creates `directory` and its missing parents inside the volume, each handed to ``owner``.
    private func createDirectories(_ directory: URL) throws {
        guard isDirectory(directory) == nil else { return }
        try createDirectories(directory.deletingLastPathComponent())
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: false)
        try owner?.own(directory.path)
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
