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
    /// Directory entries read, in all.
    private(set) var entriesRead = 0

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
            // Reading stops one entry past the budget, or at the deadline: a directory of 600,000 entries is
            // not read whole to list 1,000 of them.
            let (children, complete) = Self.children(of: node, below: descriptor, atMost: budget - used + 1, until: deadline)
            entriesRead += children.count
            if !complete || used + children.count > budget || ContinuousClock.now > deadline {
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
            for child in children where child.isDirectory {
                // Deeper than this is listed by path, not walked into (the answer's nesting stays encodable).
                if child.components.count >= Self.maximumDepth {
                    child.truncated = true
                    stoppedEarly = true
                } else {
                    queue.append(child)
                }
            }
        }
        return top.children?.map { $0.entry() } ?? []
    }

    /// How deep a walk goes below the listed directory.
    static let maximumDepth = 64

    /// The sorted entries of `node`'s directory (directories first), opened beneath `top`: at most `limit`
    /// of them, read before `deadline`; `complete` is false when either cut the reading short.
    private static func children(of node: Node, below top: Int32, atMost limit: Int, until deadline: ContinuousClock.Instant)
        -> (nodes: [Node], complete: Bool)
    {
        let relative = node.components.isEmpty ? "." : node.components.joined(separator: "/")
        let descriptor = porter_open_beneath(top, relative, O_RDONLY | O_DIRECTORY, 0)
        guard descriptor >= 0, let directory = fdopendir(descriptor) else {
            if descriptor >= 0 { close(descriptor) }
            return ([], true)
        }
        defer { closedir(directory) }
        let directoryDescriptor = dirfd(directory)
        var nodes: [Node] = []
        var complete = true
        while let entry = readdir(directory) {
            if nodes.count >= limit || (nodes.count % 256 == 0 && ContinuousClock.now > deadline) {
                complete = false
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if name == "." || name == ".." { continue }
            var info = stat()
            guard fstatat(directoryDescriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            nodes.append(Node(components: node.components + [name], name: name, info: info))
        }
        return (nodes.sorted { ($0.isDirectory ? 0 : 1, $0.name) < ($1.isDirectory ? 0 : 1, $1.name) }, complete)
    }

    private final class Node {
        /// The path below the walked directory.
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
