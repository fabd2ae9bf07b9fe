import FleetStore
import Foundation

/// The store holds environment values, so its files are its owner's alone: the database, its `-wal`
/// and `-shm` companions and the `.lock` side file are created mode 0600 whatever the umask, and an
/// existing one that is readable by others is tightened to 0600 when it belongs to the user opening it
/// (a file of another user is left as it is). Only regular files are stores: anything else given as the
/// path is refused before a side file is made.
enum StoreFileModes {
    /// The mode of every store file.
    static let fileMode: mode_t = 0o600
    /// The mode of the directory porter-fleet makes for its default store.
    static let directoryMode: mode_t = 0o700

    /// The files that belong to the store at `path`.
    static func files(of path: String) -> [String] {
        [path, path + "-wal", path + "-shm", path + ".lock"]
    }

    /// Refuses a `path` that exists and is not a regular file (a directory, FIFO, device or socket),
    /// which SQLite would block on or misread.
    static func requireRegularFileOrNothing(_ path: String) throws(FleetStoreError) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        let type = info.st_mode & S_IFMT
        guard type != S_IFREG else { return }
        let what =
            switch type {
            case S_IFDIR: "a directory"
            case S_IFIFO: "a FIFO (named pipe)"
            case S_IFCHR: "a character device"
            case S_IFBLK: "a block device"
            case S_IFSOCK: "a socket"
            default: "not a regular file"
            }
        throw .cannotOpen(path: path, detail: "it is \(what), not a store file; give the path of a store file or of one to create")
    }

    /// Creates the empty database file at `path` with mode 0600, unless it exists.
    static func createPrivately(_ path: String) {
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, fileMode)
        guard descriptor >= 0 else { return }
        fchmod(descriptor, fileMode)
        close(descriptor)
    }

    /// Takes every permission of group and others off the store's files that the current user owns.
    static func tighten(_ path: String) {
        for file in files(of: path) { tightenFile(file) }
    }

    /// Takes every permission of group and others off `file` if it is a regular file the current user owns.
    static func tightenFile(_ file: String) {
        var info = stat()
        guard lstat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(), info.st_mode & 0o077 != 0 else { return }
        chmod(file, info.st_mode & 0o700)
    }

    /// Makes `directory` (porter-fleet's own, such as `.porter-fleet`) with mode 0700, or tightens it to
    /// 0700 when it exists, belongs to the current user and others may read it.
    static func preparePrivateDirectory(_ directory: String) {
        if mkdir(directory, directoryMode) == 0 {
            chmod(directory, directoryMode)
            return
        }
        var info = stat()
        guard lstat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid(), info.st_mode & 0o077 != 0 else { return }
        chmod(directory, info.st_mode & 0o700)
    }
}
