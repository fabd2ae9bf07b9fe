import Foundation
import Synchronization
import WireFormats

/// A regular file of a volume opened for reading, safely against what a sandbox may have put there.
///
/// The path is resolved with `O_PATH` beneath the volume's root without following links (see
/// ``DirectoryHandle``), so a FIFO or device node is never opened for reading (which could block
/// forever or never end); the type is checked with `fstat` and anything but a regular file is refused.
/// Reads stream in bounded chunks and stop at the size the file had when it was opened.
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

    /// Opens for reading the file named by `descriptor` (an `O_PATH` descriptor resolved without
    /// following links, which this call takes over and closes), after checking it is a regular file.
    static func open(descriptor: Int32, display: String) throws -> RegularFile {
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw LocalAPIError.notFound("no file '\(display)' in the volume") }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw LocalAPIError.badRequest("'\(display)' is \(describe(mode: info.st_mode)), not a regular file; the files API reads regular files only")
        }
        // Reopened through /proc so the open for reading is of exactly the object checked above.
        let readable = Glibc.open("/proc/self/fd/\(descriptor)", O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
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
