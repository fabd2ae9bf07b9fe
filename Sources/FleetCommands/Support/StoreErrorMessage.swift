import FleetModel
import FleetStore
import FleetStorePostgres

extension FleetStoreError {
    /// The error for the terminal, one or more lines, each saying what to do next in the CLI's terms.
    var lines: [String] {
        switch self {
        case .invalid(let errors): errors.map(\.description)
        default: [message]
        }
    }

    /// The error as one line (for every case but ``FleetStoreError/invalid(_:)``, which has one per problem).
    var message: String {
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
            errors.map(\.description).joined(separator: "; ")
        case .invalidFleetID(let id):
            "fleet id '\(id)' must be 1–63 characters of A-Z a-z 0-9 . _ -"
        case .invalidNamePrefix(let prefix):
            "name prefix '\(prefix)' must be up to 20 lowercase letters, digits and '-', starting with a letter or digit"
        case .namePrefixLocked:
            "the name prefix can only change while the desired state is empty (it is part of every actual name)"
        case .volumeNamingLocked:
            "volume naming can only change while the desired state is empty and the fleet owns no volume (it is part of every volume name)"
        case .replicasOutOfRange(let replicas):
            "--replicas must be between 0 and \(ManifestRules.maximumReplicas), not \(replicas)"
        case .foreignDatabase(let path, let detail) where PostgresStoreURL.isPostgres(path):
            "\(path) is not a porter-fleet store (\(detail)); it was left untouched. Give porter-fleet a database of its own (CREATE DATABASE porter_fleet)"
        case .foreignDatabase(let path, let detail):
            "\(path) is not a porter-fleet store (\(detail)); it was left untouched. Point --db at a new file or an existing porter-fleet store"
        case .damaged(let path, let detail):
            "\(path) is damaged (\(detail)); it can still be read: save what is left with 'porter-fleet export --db \(path) > fleet.yaml', then apply that to a new store"
        case .connectionFailed(let location, let detail):
            "\(location): \(detail)"
        case .notEmpty(let location):
            "\(location) already holds a fleet; nothing was copied. Pass --force to replace everything in it"
        case .fencedOut(let holder, let token):
            "the write of controller '\(holder)' (lease token \(token)) was refused: another controller holds the lease now"
        case .readOnly(let path):
            "\(path) cannot be written (read-only file, directory or filesystem); porter-fleet needs to write its store: fix the permissions or use another --db"
        }
    }
}
