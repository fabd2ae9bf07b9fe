import CLinuxFiles
import Foundation

/// The host user and group a process sandbox runs as when the server itself runs as root: `nobody`
/// (65534:65534) unless configured otherwise. A server run by any other user runs sandboxes as itself.
public struct SandboxUser: Sendable, Equatable, CustomStringConvertible {
    /// The host user id.
    public var uid: UInt32
    /// The host group id.
    public var gid: UInt32

    /// Creates a user from its ids.
    public init(uid: UInt32, gid: UInt32) {
        self.uid = uid
        self.gid = gid
    }

    /// `nobody:nogroup` on Debian: owns no files, so a sandbox can touch only what it is given.
    public static let nobody = SandboxUser(uid: 65534, gid: 65534)

    /// `UID:GID`, or `UID` for the same number twice; nil for anything else, or for root.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let uid = UInt32(parts[0]), uid != 0 else { return nil }
        let gid = parts.count == 2 ? UInt32(parts[1]) : uid
        guard let gid, gid != 0 else { return nil }
        self.init(uid: uid, gid: gid)
    }

    /// `uid:gid`.
    public var description: String { "\(uid):\(gid)" }

    /// Gives this user a directory or file the server made for a sandbox (work directory, volume root,
    /// an uploaded file), so the sandbox can write to it.
    func own(_ path: String) throws {
        guard lchown(path, uid, gid) == 0 else {
            throw LocalAPIError(status: .internalServerError, message: "could not hand '\(path)' to uid \(uid) (errno \(errno))")
        }
    }

    /// Gives this user what `descriptor` names (an `O_PATH` descriptor is enough), so no path is
    /// looked up again between opening and handing over.
    func own(descriptor: Int32) throws {
        guard fchownat(descriptor, "", uid, gid, porter_AT_EMPTY_PATH) == 0 else {
            throw LocalAPIError(status: .internalServerError, message: "could not hand a file to uid \(uid) (errno \(errno))")
        }
    }
}
