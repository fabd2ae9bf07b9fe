import Foundation

/// An exclusive advisory lock (`flock`) on a side file of the store, held while the store is checked,
/// opened and migrated, so concurrent porter-fleet processes take turns.
final class StoreLock {
    private let path: String
    private let descriptor: Int32
    /// Whether this process made the side file (and so may remove it again).
    private let created: Bool

    /// Waits for the lock; a side file that cannot be made (a read-only directory) means no lock.
    init(path: String) {
        self.path = path
        var descriptor = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, StoreFileModes.fileMode)
        created = descriptor >= 0
        if created { fchmod(descriptor, StoreFileModes.fileMode) }
        if descriptor < 0 { descriptor = open(path, O_RDWR | O_CLOEXEC) }
        self.descriptor = descriptor
        if descriptor >= 0 { flock(descriptor, LOCK_EX) }
    }

    /// Removes the side file if this process made it: a file refused as not a store keeps nothing of ours.
    func discard() {
        if created { unlink(path) }
    }

    /// Releases the lock.
    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
