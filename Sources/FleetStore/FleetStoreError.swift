import FleetModel

/// A problem opening or changing the desired-state store, as facts: the commands word them for people
/// (with the flags that fix them), the controller logs them.
public enum FleetStoreError: Error, Sendable, Equatable {
    /// The file is not an SQLite database (or is damaged).
    case notADatabase(path: String, detail: String)
    /// The file cannot be opened or created.
    case cannotOpen(path: String, detail: String)
    /// The store belongs to another fleet than the one asked for.
    case fleetMismatch(path: String, stored: String, requested: String)
    /// The store was written by a newer porter-fleet.
    case newerSchema(path: String)
    /// A named resource is not in the desired state.
    case notFound(kind: ResourceKind, names: [String])
    /// The change would leave the desired state inconsistent.
    case invalid([ManifestError])
    /// A fleet id that is not 1–63 of `A-Z a-z 0-9 . _ -`.
    case invalidFleetID(String)
    /// A name prefix that is not up to 20 of `a-z 0-9 -`, starting with a letter or digit.
    case invalidNamePrefix(String)
    /// The name prefix changes only while the desired state is empty.
    case namePrefixLocked
    /// Volume naming changes only while nothing is desired and no volume is owned.
    case volumeNamingLocked
    /// A set's replicas outside 0…`ManifestRules.maximumReplicas`.
    case replicasOutOfRange(Int)
    /// The file is an SQLite database of another application; it was left untouched.
    case foreignDatabase(path: String, detail: String)
    /// SQLite's `quick_check` found damage: the store can be read (to `export` what is left) but not written.
    case damaged(path: String, detail: String)
    /// The file or its directory cannot be written (permissions, or a read-only filesystem).
    case readOnly(path: String)
    /// The database server cannot be reached or refused the connection (`location` never holds a password).
    case connectionFailed(location: String, detail: String)
    /// `store copy` found something in the destination and was not told to replace it.
    case notEmpty(location: String)
    /// A controller write carried a fencing token that is no longer the lease's: another controller took over.
    case fencedOut(holder: String, token: Int64)
}
