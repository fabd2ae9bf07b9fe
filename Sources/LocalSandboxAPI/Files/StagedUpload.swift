import Foundation

/// The body of one file upload while it arrives: a new file in the server's staging directory (one
/// no sandbox can see), written by descriptor, owned by the sandbox user from the start, and renamed
/// into its place only when the whole body is in.
final class StagedUpload {
    private let directory: Int32
    private let name = UUID().uuidString
    private var file: Int32
    private var written: Int64 = 0

    /// Creates the staged file (mode 0644, handed to `owner`) in `directory`, made 0700 if missing.
    init(directory url: URL, owner: SandboxUser?) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        directory = open(url.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard directory >= 0 else { throw LocalAPIError(status: .internalServerError, message: "could not open the staging directory (errno \(errno))") }
        file = openat(directory, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard file >= 0 else {
            close(directory)
            throw LocalAPIError(status: .internalServerError, message: "could not stage the upload (errno \(errno))")
        }
        if let owner { try owner.own(descriptor: file) }
    }

    deinit {
        if file >= 0 { close(file) }
        close(directory)
    }

    /// Appends a chunk of the body; past `limit` bytes in all the upload is refused with 413.
    func append(_ chunk: ArraySlice<UInt8>, limit: Int64) throws {
        written += Int64(chunk.count)
        if written > limit { throw LocalAPIError.tooLarge("the file is larger than the \(limit)-byte limit of one write") }
        try chunk.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(file, base + offset, buffer.count - offset)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { throw LocalAPIError(status: .internalServerError, message: "could not stage the upload (errno \(errno))") }
                offset += count
            }
        }
    }

    /// Closes the staged file once the whole body is in.
    func finish() throws {
        let result = close(file)
        file = -1
        guard result == 0 else { throw LocalAPIError(status: .internalServerError, message: "could not stage the upload (errno \(errno))") }
    }

    /// Renames the staged file to `name` in `parent`, replacing a file (or link) of that name.
    func commit(into parent: DirectoryHandle, name target: String, display: String) throws {
        guard renameat(directory, name, parent.descriptor, target) == 0 else {
            let failure = errno
            if failure == EISDIR || failure == ENOTEMPTY { throw LocalAPIError.conflict("'\(display)' is a directory") }
            throw LocalAPIError(status: .internalServerError, message: "could not move the upload into place (errno \(failure))")
        }
    }

    /// Removes the staged file after a failure.
    func discard() {
        if file >= 0 {
            close(file)
            file = -1
        }
        unlinkat(directory, name, 0)
    }
}
