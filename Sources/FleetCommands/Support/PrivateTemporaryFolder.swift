import Foundation

/// A new folder in the temporary directory that only this user can enter (`mkdtemp`: mode 0700, a name
/// nobody could have taken first), for files that may hold environment values.
enum PrivateTemporaryFolder {
    /// Makes `porter-fleet-PURPOSE-XXXXXX`; the caller removes it.
    static func make(_ purpose: String) throws -> URL {
        var template = Array((FileManager.default.temporaryDirectory.path + "/porter-fleet-\(purpose)-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CommandFailure("cannot make a private temporary folder (errno \(errno))") }
        return URL(fileURLWithPath: String(cString: made), isDirectory: true)
    }
}
