import CLinuxFiles
import Foundation
import PorterSandbox

/// A breadth-first walk of a volume directory for the files API's listings and searches, bounded in
/// entries and in time.
///
/// Each directory is opened beneath the walked one by `openat2` without following links, and read
/// with `fstatat(AT_SYMLINK_NOFOLLOW)`: a symbolic link is listed as an entry of type `file` (the wire
/// format knows files and directories only), with the size of the link itself, and never descended,
/// so a link to `/` lists as one entry and the host stays out of sight.
struct FileTreeWalk {
    /// How far one listing may go.
    struct Limits: Sendable {
        /// Entries one listing returns at most (the API's budget).
        var entries: Int
        /// Entries a search may look at to find its matches.
        var searchedEntries: Int
        /// Wall-clock time one listing or search may take; what is not read by then is `truncated`.
        var duration: Duration
    }

    let limits: Limits
    let searching: Bool
    /// Whether the budget or the deadline cut the walk short.
    private(set) var stoppedEarly = false

    init(limits: Limits, searching: Bool) {
        self.limits = limits
        self.searching = searching
    }

    /// The nested entries below the directory open at `descriptor` (`O_RDONLY | O_DIRECTORY`), which
    /// this call takes over and closes.
    mutating func entries(ofDirectory descriptor: Int32) -> [VolumeFileEntry] {
        defer { close(descriptor) }
        let budget = searching ? max(limits.entries, limits.searchedEntries) : limits.entries
        let deadline = ContinuousClock.now + limits.duration
        let top = Node(components: [], name: "", info: nil)
        var queue: [Node] = [top]
        var head = 0
        var used = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            let children = Self.children(of: node, below: descriptor)
            if used + children.count > budget || ContinuousClock.now > deadline {
                // A directory that does not fit is left unread (so clients list it again by path),
                // except the listed directory itself, which is read as far as the budget goes.
                node.children = node === top ? Array(children.prefix(budget)) : nil
                node.truncated = true
                stoppedEarly = true
                for pending in queue[head...] { pending.truncated = true }
                break
            }
            node.children = children
            used += children.count
            queue.append(contentsOf: children.filter(\.isDirectory))
        }
        return top.children?.map { $0.entry() } ?? []
    }

    /// The sorted entries of `node`'s directory (directories first), opened beneath `top`.
    private static func children(of node: Node, below top: Int32) -> [Node] {
        let relative = node.components.isEmpty ? "." : node.components.joined(separator: "/")
        let descriptor = porter_open_beneath(top, relative, O_RDONLY | O_DIRECTORY, 0)
        guard descriptor >= 0, let directory = fdopendir(descriptor) else {
            if descriptor >= 0 { close(descriptor) }
            return []
        }
        defer { closedir(directory) }
        let directoryDescriptor = dirfd(directory)
        var nodes: [Node] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if name == "." || name == ".." { continue }
            var info = stat()
            guard fstatat(directoryDescriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            nodes.append(Node(components: node.components + [name], name: name, info: info))
        }
        return nodes.sorted { ($0.isDirectory ? 0 : 1, $0.name) < ($1.isDirectory ? 0 : 1, $1.name) }
    }

    private final class Node {
        let components: [String]
        let name: String
        let isDirectory: Bool
        let size: Int64
        let modified: Date?
        var children: [Node]?
        var truncated = false

        init(components: [String], name: String, info: stat?) {
            self.components = components
            self.name = name
            self.isDirectory = info.map { porter_mode_is_directory($0.st_mode) != 0 } ?? true
            self.size = info.map { Int64($0.st_size) } ?? 0
            self.modified = info.map { Date(timeIntervalSince1970: Double($0.st_mtim.tv_sec)) }
        }

        func entry() -> VolumeFileEntry {
            VolumeFileEntry(
                name: name,
                _type: isDirectory ? .directory : .file,
                sizeBytes: isDirectory ? 0 : size,
                modifiedAt: modified,
                truncated: isDirectory && truncated ? true : nil,
                entries: isDirectory ? children?.map { $0.entry() } : nil
            )
        }
    }
}
