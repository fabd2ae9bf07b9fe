import Foundation

/// The local API's own files, readable by the server's user alone: the data directory and its
/// `sandboxes` and `volumes` folders are 0700 and the SQLite file 0600 (SQLite gives its `-wal` and
/// `-shm` files the database file's mode), whatever the umask, and existing ones are tightened. Sandboxes
/// run as another user when the server is root, so these modes are what keeps one sandbox out of
/// another's workspace, volumes and environment.
enum PrivateFiles {
    /// Creates `url` (and missing parents) as a 0700 directory, or tightens an existing one to 0700.
    static func directory(_ url: URL) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try tighten(url.path, to: 0o700)
    }

    /// Creates `url` as an empty 0600 file when missing, or tightens an existing one to 0600.
    static func file(_ url: URL) throws {
        let descriptor = open(url.path, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw LocalAPIError(status: .internalServerError, message: "could not create '\(url.path)' (errno \(errno))")
        }
        close(descriptor)
        try tighten(url.path, to: 0o600)
    }

    private static func tighten(_ path: String, to mode: mode_t) throws {
        guard chmod(path, mode) == 0 else {
            throw LocalAPIError(status: .internalServerError, message: "could not make '\(path)' private (mode \(String(mode, radix: 8)), errno \(errno))")
        }
    }
}
