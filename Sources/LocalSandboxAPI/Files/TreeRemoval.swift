import Foundation

/// Removes a sandbox's workspace or a volume's directory whatever a sandbox left in it: coreutils' `rm -rf
/// --one-file-system`, which walks by descriptor (`fts` with `openat`), so a tree deeper than `PATH_MAX`
/// goes too (FileManager gives up on one), never follows a link out, and never crosses into a mount.
/// Runs on a thread of its own; a failure is logged by the caller, never thrown at a request.
enum TreeRemoval {
    /// Removes `url` and everything below it; the error output of `rm`, if it failed.
    @discardableResult
    static func remove(_ url: URL) async -> String? {
        guard FileManager.default.fileExists(atPath: url.path) || (try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) != nil
        else { return nil }
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/rm")
                process.arguments = ["-rf", "--one-file-system", "--", url.path]
                let errors = Pipe()
                process.standardError = errors
                process.standardOutput = FileHandle.nullDevice
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(returning: "could not run rm: \(error)")
                    return
                }
                let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus == 0 ? nil : message.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
    }
}
