import CLinuxFiles
import Foundation

/// A directory of a volume held open by descriptor, so that every later create, rename, read and
/// listing happens relative to the directory that was checked, never to a path a sandbox could swap
/// in the meantime.
///
/// Paths below a handle are resolved by `openat2` with `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
/// RESOLVE_NO_MAGICLINKS` (Linux 5.6 or later): no component may be a symbolic link, none may climb
/// above the handle. A sandbox that replaces a directory by a link to the host between two requests,
/// or between the check and the write of one, makes the operation fail with 400; it never redirects it.
final class DirectoryHandle: Sendable {
    /// The open descriptor (`O_PATH | O_DIRECTORY`), closed when the handle goes.
    let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    /// The volume's root directory, named by the server (never by a sandbox), opened without
    /// following a link at its last component.
    static func root(_ path: String) throws -> DirectoryHandle {
        let descriptor = open(path, porter_O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw LocalAPIError(status: .internalServerError, message: "the volume's directory is missing (errno \(errno))") }
        return DirectoryHandle(descriptor: descriptor)
    }

    /// The directory at `components` below this one; symbolic links are never followed.
    func directory(_ components: [String], display: String) throws -> DirectoryHandle {
        let descriptor = try openBeneath(components, flags: porter_O_PATH | O_DIRECTORY, display: display)
        return DirectoryHandle(descriptor: descriptor)
    }

    /// A descriptor for `components` below this one, opened with `flags`; the caller closes it.
    func openBeneath(_ components: [String], flags: Int32, display: String) throws -> Int32 {
        let relative = components.isEmpty ? "." : components.joined(separator: "/")
        let descriptor = porter_open_beneath(self.descriptor, relative, flags, 0)
        guard descriptor >= 0 else { throw Self.refusal(errno: errno, display: display) }
        return descriptor
    }

    /// What `name` in this directory is, without following a link; nil when it does not exist.
    func status(of name: String) -> stat? {
        var info = stat()
        guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return info
    }

    /// The directory `name` in this one, created (mode 0755, handed to `owner`) when missing.
    func makeDirectory(_ name: String, owner: SandboxUser?, display: String) throws -> DirectoryHandle {
        if mkdirat(descriptor, name, 0o755) == 0 {
            let made = try directory([name], display: display)
            try owner?.own(descriptor: made.descriptor)
            return made
        }
        let failure = errno
        guard failure == EEXIST else { throw Self.refusal(errno: failure, display: display) }
        return try directory([name], display: display)
    }

    /// The directory at `components`, each missing one created on the way, each step relative to
    /// the one before.
    func makeDirectories(_ components: [String], owner: SandboxUser?, display: String) throws -> DirectoryHandle {
        var current = self
        for name in components { current = try current.makeDirectory(name, owner: owner, display: display) }
        return current
    }

    /// The error a failed resolution answers with.
    static func refusal(errno code: Int32, display: String) -> LocalAPIError {
        switch code {
        case ENOENT: .notFound("no file or directory '\(display)' in the volume")
        case ELOOP: .badRequest("path '\(display)' goes through a symbolic link; the files API never follows links")
        case EXDEV: .badRequest("path '\(display)' leads out of the volume")
        case ENOTDIR: .conflict("a parent of '\(display)' is not a directory")
        case ENAMETOOLONG: .badRequest("a name in '\(display)' is longer than 255 bytes")
        case ENOSYS: LocalAPIError(status: .notImplemented, message: "the files API needs openat2 (Linux 5.6 or later) to confine paths to the volume")
        default: LocalAPIError(status: .internalServerError, message: "'\(display)' cannot be opened (errno \(code))")
        }
    }
}
