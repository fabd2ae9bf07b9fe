import Foundation
import Synchronization
import WireFormats

/// `O_PATH` (Linux): a descriptor that names a file without opening it for reading, so checking a
/// FIFO or device node has no side effect. Glibc's headers define it only under `_GNU_SOURCE`.
private let O_PATH: Int32 = 0o10_000_000

/// A regular file of a volume opened for reading, safely against what a sandbox may have put there.
///
/// The path is opened one component at a time with `O_PATH | O_NOFOLLOW` from the volume's root, so
/// no symbolic link is followed and a FIFO or device node is never opened for reading (which could
/// block forever or never end); the type is checked with `fstat` and anything but a regular file is
/// refused. Reads stream in bounded chunks and stop at the size the file had when it was opened.
final class RegularFile: Sendable {
    /// The descriptor open for reading.
    private let descriptor: Int32
    /// The size at open time; reads never go past it.
    let size: Int64
    /// The modification time at open time.
    let modified: Date

    /// Bytes read at once.
    static let chunkSize = 64 * 1024

    private init(descriptor: Int32, size: Int64, modified: Date) {
        self.descriptor = descriptor
        self.size = size
        self.modified = modified
    }

    deinit { close(descriptor) }

    /// Opens `components` (no `..`, symbolic links already resolved inside the volume) under `root`.
    static func open(root: URL, components: [String], display: String) throws -> RegularFile {
        var current = Glibc.open(root.path, O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard current >= 0 else { throw LocalAPIError.notFound("the volume's directory is missing") }
        for (index, name) in components.enumerated() {
            let isLast = index == components.count - 1
            let next = openat(current, name, O_PATH | O_NOFOLLOW | O_CLOEXEC | (isLast ? 0 : O_DIRECTORY))
            let failure = errno
            close(current)
            guard next >= 0 else { throw refusal(errno: failure, display: display) }
            current = next
        }
        defer { close(current) }
        var info = stat()
        guard fstat(current, &info) == 0 else { throw LocalAPIError.notFound("no file '\(display)' in the volume") }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw LocalAPIError.badRequest("'\(display)' is \(describe(mode: info.st_mode)), not a regular file; the files API reads regular files only")
        }
        // Reopened through /proc so the open for reading is of exactly the object checked above.
        let readable = Glibc.open("/proc/self/fd/\(current)", O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard readable >= 0 else { throw LocalAPIError.notFound("file '\(display)' cannot be read (errno \(errno))") }
        let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
        return RegularFile(descriptor: readable, size: Int64(info.st_size), modified: modified)
    }

    /// The bytes of `range` (or the whole file), pulled in chunks of ``chunkSize`` as the client reads.
    func chunks(of range: RangeRequest?) -> AsyncThrowingStream<ArraySlice<UInt8>, any Error> {
        let cursor = Mutex(range?.first ?? 0)
        let end = range.map { $0.last + 1 } ?? size
        return AsyncThrowingStream(unfolding: { [self] in
            let offset = cursor.withLock { $0 }
            guard offset < end else { return nil }
            let chunk = try readChunk(at: offset, upTo: Int(min(Int64(Self.chunkSize), end - offset)))
            cursor.withLock { $0 += Int64(chunk.count) }
            return chunk
        })
    }

    /// Up to `count` bytes at `offset`; a file that shrank since it was opened ends the body early.
    private func readChunk(at offset: Int64, upTo count: Int) throws -> ArraySlice<UInt8> {
        var buffer = [UInt8](repeating: 0, count: count)
        let read = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
        if read < 0 { throw LocalAPIError(status: .internalServerError, message: "read failed (errno \(errno))") }
        if read == 0 { throw LocalAPIError(status: .internalServerError, message: "the file shrank while it was read") }
        return buffer[0..<read]
    }

    private static func refusal(errno code: Int32, display: String) -> LocalAPIError {
        switch code {
        case ENOENT: .notFound("no file '\(display)' in the volume")
        case ENOTDIR, ELOOP: .badRequest("a parent of '\(display)' is not a directory (symbolic links are not followed)")
        case ENAMETOOLONG: .badRequest("a name in '\(display)' is longer than 255 bytes")
        default: .notFound("file '\(display)' cannot be opened (errno \(code))")
        }
    }

    private static func describe(mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "a special file"
        }
    }
}
