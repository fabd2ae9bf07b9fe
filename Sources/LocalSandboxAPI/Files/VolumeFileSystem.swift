import CLinuxFiles
import Foundation
import PorterSandbox
import WireFormats

/// The files of one disk volume: listing, ranged reads, atomic writes and moves.
///
/// Every path is resolved once, beneath the volume's root and without following any symbolic link
/// (see ``DirectoryHandle``), and every create, rename and read happens relative to the descriptors
/// so obtained. A sandbox that has the volume mounted may change its tree at any moment, even in the
/// middle of a request: the most it can make an operation do is fail. Listings report links as
/// entries of their own and never descend them.
struct VolumeFileSystem {
    let root: URL
    /// Who gets what the server writes (files and the directories made for them), so sandboxes
    /// running as another user can change it; nil to leave the server's own user.
    var owner: SandboxUser?

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

    /// The volume's root, held open.
    private func rootHandle() throws -> DirectoryHandle { try DirectoryHandle.root(root.path) }

    // MARK: Listing

    /// Breadth-first walk of the directory at `path` (see ``FileTreeWalk``).
    func list(path: String, search: String?, limits: FileTreeWalk.Limits) throws -> VolumeFileListing {
        let components = try Self.components(of: path)
        let display = Self.display(components)
        let root = try rootHandle()
        if let name = components.last, let info = try root.directory(Array(components.dropLast()), display: display).status(of: name),
            porter_mode_is_directory(info.st_mode) == 0, porter_mode_is_link(info.st_mode) == 0
        {
            throw LocalAPIError.badRequest("'\(display)' is a file, not a directory")
        }
        // O_DIRECTORY: what is opened is a directory, whatever was swapped in since the look above.
        let descriptor = try root.openBeneath(components, flags: O_RDONLY | O_DIRECTORY, display: display)
        var walk = FileTreeWalk(limits: limits, searching: search != nil && search?.isEmpty == false)
        var entries = walk.entries(ofDirectory: descriptor)
        if let search, !search.isEmpty { entries = Self.prune(entries, query: search.lowercased()) }
        return VolumeFileListing(path: display, entries: entries, truncated: walk.stoppedEarly)
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

    // MARK: Reading

    /// Opens a regular file for reading (see ``RegularFile``); no link on the way is followed.
    func openRegularFile(path: String) throws -> RegularFile {
        let components = try Self.components(of: path)
        let display = Self.display(components)
        guard !components.isEmpty else { throw LocalAPIError.badRequest("path '/' is the volume root, not a file") }
        let descriptor = try rootHandle().openBeneath(components, flags: porter_O_PATH, display: display)
        return try RegularFile.open(descriptor: descriptor, display: display)
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

    /// Writes a file atomically: the body is staged in `staging` (a directory no sandbox sees) and
    /// renamed into place only once it has fully arrived, so a failed upload leaves the previous
    /// content. Missing parent directories are created, each relative to the one before.
    func write<Body: AsyncSequence>(path: String, body: Body, staging: URL, maxBytes: Int64) async throws
    where Body.Element == ArraySlice<UInt8> {
        let components = try Self.components(of: path)
        let display = Self.display(components)
        guard let name = components.last else { throw LocalAPIError.badRequest("cannot write to the volume root") }
        try refuseEarly(components, display: display)
        let staged = try StagedUpload(directory: staging, owner: owner)
        do {
            for try await chunk in body {
                try staged.append(chunk, limit: maxBytes)
            }
            try staged.finish()
            let parent = try rootHandle().makeDirectories(Array(components.dropLast()), owner: owner, display: display)
            if let existing = parent.status(of: name), porter_mode_is_directory(existing.st_mode) != 0 {
                throw LocalAPIError.conflict("'\(display)' is a directory")
            }
            try staged.commit(into: parent, name: name, display: display)
        } catch {
            staged.discard()
            throw error
        }
    }

    /// Refuses, before the body is read, an upload that cannot succeed as things stand: the target
    /// is a directory, or a parent is a file or a link. (Checked again when the body has arrived.)
    private func refuseEarly(_ components: [String], display: String) throws {
        let root = try rootHandle()
        var current = root
        for (index, name) in components.enumerated() {
            guard let info = current.status(of: name) else { return }
            let isLast = index == components.count - 1
            if porter_mode_is_directory(info.st_mode) != 0 {
                if isLast { throw LocalAPIError.conflict("'\(display)' is a directory") }
                current = try current.directory([name], display: display)
            } else if !isLast {
                if porter_mode_is_link(info.st_mode) != 0 { throw DirectoryHandle.refusal(errno: ELOOP, display: display) }
                throw LocalAPIError.conflict("a parent of '\(display)' is a file")
            }
        }
    }

    /// Moves a file or directory to a new full path; nothing is overwritten, the destination's parent
    /// must exist, and the root can be neither moved nor replaced. The two parents are opened without
    /// following links and the move is one `renameat2(RENAME_NOREPLACE)` between them.
    func move(from: String, to: String) throws {
        let source = try Self.components(of: from)
        let destination = try Self.components(of: to)
        guard let sourceName = source.last, let destinationName = destination.last else {
            throw LocalAPIError.badRequest("the volume root can be neither moved nor overwritten")
        }
        let sourceDisplay = Self.display(source)
        let destinationDisplay = Self.display(destination)
        if destination.count > source.count, Array(destination.prefix(source.count)) == source {
            throw LocalAPIError.badRequest("cannot move '\(sourceDisplay)' into itself")
        }
        let root = try rootHandle()
        let sourceParent = try root.directory(Array(source.dropLast()), display: sourceDisplay)
        guard sourceParent.status(of: sourceName) != nil else { throw LocalAPIError.notFound("no file or directory '\(sourceDisplay)'") }
        let destinationParent: DirectoryHandle
        do {
            destinationParent = try root.directory(Array(destination.dropLast()), display: destinationDisplay)
        } catch let error as LocalAPIError where error.status == .notFound {
            throw LocalAPIError.notFound("the parent directory of '\(destinationDisplay)' does not exist")
        }
        guard porter_rename_noreplace(sourceParent.descriptor, sourceName, destinationParent.descriptor, destinationName) == 0 else {
            switch errno {
            case EEXIST, ENOTEMPTY: throw LocalAPIError.conflict("'\(destinationDisplay)' already exists; a move never overwrites")
            case ENOENT: throw LocalAPIError.notFound("no file or directory '\(sourceDisplay)'")
            case EINVAL: throw LocalAPIError.badRequest("cannot move '\(sourceDisplay)' into itself")
            case let code: throw LocalAPIError(status: .internalServerError, message: "move failed (errno \(code))")
            }
        }
    }
}
