import ArgumentParser
import FleetModel
import FleetStore
import FleetStoreSQLite
import Foundation

/// Shell completion of what commands take: kinds, then the names of that kind from the store (the one
/// `--db` on the line names, else `$PORTER_FLEET_DB`, else the default), and manifest files for `-f`.
enum Completions {
    /// The words of `get`/`delete`: a kind first, then its names.
    static let kindsThenNames = CompletionKind.custom { words, index, prefix in candidates(words: words, index: index, prefix: prefix) }

    /// Manifest files and directories.
    static let manifestFiles = CompletionKind.file(extensions: ["yaml", "yml", "json"])

    /// The kinds a command line may name.
    static let kinds = ["sandboxes", "sets", "volumes", "all"]

    /// Candidates for the word at `index`: a kind when no kind is typed yet, else the names of the kind typed.
    static func candidates(words: [String], index: Int, prefix: String) -> [String] {
        let typed = Array(words.prefix(index))
        guard let kindWord = typed.last(where: { ResourceKind(word: $0) != nil || $0 == "all" }) else {
            return kinds.filter { $0.hasPrefix(prefix) }
        }
        let kind = ResourceKind(word: kindWord)
        let names = ((try? storeNames(path: storePath(in: words), kind: kind)) ?? []).filter { $0.hasPrefix(prefix) }
        return names
    }

    /// The store the command line names.
    static func storePath(in words: [String]) -> String {
        if let index = words.firstIndex(of: "--db"), index + 1 < words.count { return words[index + 1] }
        if let joined = words.first(where: { $0.hasPrefix("--db=") }) { return String(joined.dropFirst("--db=".count)) }
        if let fromEnvironment = ProcessInfo.processInfo.environment["PORTER_FLEET_DB"], !fromEnvironment.isEmpty { return fromEnvironment }
        return StoreOptions.defaultPath
    }

    /// The names of `kind` (every kind when nil) in the store at `path`; nothing when there is no store.
    static func storeNames(path: String, kind: ResourceKind?) throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try SQLiteFleetStore(path: path, create: false).resources(kind: kind).map(\.name)
    }
}
