import FleetModel

/// A problem opening or changing the desired-state store. Each says what to do next.
public enum FleetStoreError: Error, Sendable, Equatable, CustomStringConvertible {
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
    /// A set's replicas outside 0…`ManifestRules.maximumReplicas`.
    case replicasOutOfRange(Int)
    /// The file is an SQLite database of another application; it was left untouched.
    case foreignDatabase(path: String, detail: String)
    /// SQLite's `quick_check` found damage: the store can be read (to `export` what is left) but not written.
    case damaged(path: String, detail: String)
    /// The file or its directory cannot be written (permissions, or a read-only filesystem).
    case readOnly(path: String)

    /// The error as one or more lines for the terminal.
    public var description: String {
        switch self {
        case .notADatabase(let path, let detail):
            "\(path): not a porter-fleet store (\(detail)); point --db at another file, or move this one away to start a new store"
        case .cannotOpen(let path, let detail):
            "\(path): cannot open the store (\(detail))"
        case .fleetMismatch(let path, let stored, let requested):
            "\(path) holds fleet '\(stored)', not '\(requested)'; use --fleet \(stored) or another --db"
        case .newerSchema(let path):
            "\(path) was written by a newer porter-fleet; upgrade porter-fleet to use it"
        case .notFound(let kind, let names):
            "\(kind.rawValue) \(names.map { "'\($0)'" }.joined(separator: ", ")) not found in the desired state"
        case .invalid(let errors):
            errors.map(\.description).joined(separator: "\n")
        case .invalidFleetID(let id):
            "fleet id '\(id)' must be 1–63 characters of A-Z a-z 0-9 . _ -"
        case .invalidNamePrefix(let prefix):
            "name prefix '\(prefix)' must be up to 20 lowercase letters, digits and '-', starting with a letter or digit"
        case .namePrefixLocked:
            "the name prefix can only change while the desired state is empty (it is part of every actual name)"
        case .replicasOutOfRange(let replicas):
            "replicas must be between 0 and \(ManifestRules.maximumReplicas), not \(replicas)"
        case .foreignDatabase(let path, let detail):
            "\(path) is not a porter-fleet store (\(detail)); it was left untouched. Point --db at a new file or an existing porter-fleet store"
        case .damaged(let path, let detail):
            "\(path) is damaged (\(detail)); it can still be read: save what is left with 'porter-fleet export --db \(path) > fleet.yaml', then apply that to a new store"
        case .readOnly(let path):
            "\(path) cannot be written (read-only file, directory or filesystem); porter-fleet needs to write its store: fix the permissions or use another --db"
        }
    }
}
