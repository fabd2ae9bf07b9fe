import ArgumentParser
import FleetModel

/// The `KIND/NAME` form kubectl users type, and `-o name` prints (`sandbox/api`, `sandboxset/agent`), read as
/// the two words `KIND NAME` that `get`, `delete` and `scale` take: `delete sandboxset/agent sandboxset/web`
/// is `delete sandboxset agent web`. Words without a slash are left as they are.
enum KindNameWords {
    /// `words` with every `KIND/NAME` split; all of them must name one kind.
    static func expand(_ words: [String]) throws -> [String] {
        let slashed = words.filter { $0.contains("/") }
        guard !slashed.isEmpty else { return words }
        guard slashed.count == words.count else {
            throw ValidationError("give either KIND NAME... or KIND/NAME..., not both")
        }
        var kind: String?
        var names: [String] = []
        for word in words {
            let parts = word.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, ResourceKind(word: parts[0]) != nil else {
                throw ValidationError("'\(word)' is not KIND/NAME: the kinds are sandbox, sandboxset (set) and volume")
            }
            if let kind, ResourceKind(word: kind) != ResourceKind(word: parts[0]) {
                throw ValidationError("'\(word)' is of another kind than '\(kind)'; give one kind at a time")
            }
            kind = kind ?? parts[0]
            names.append(parts[1])
        }
        return [kind ?? ""] + names
    }
}
