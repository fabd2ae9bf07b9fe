import Foundation

/// Field-level differences between two JSON documents, terraform style, one line per leaf:
/// `~ spec.image: "busybox" → "busybox:1.36"`, `+ tags.team: "ml"`, `- spec.env.DEBUG: "1"`.
/// Lists are compared whole.
enum FieldDiff {
    /// The lines that take `old` to `new` (both JSON text), paths under `prefix`.
    static func lines(from old: String, to new: String, prefix: String) -> [String] {
        changes(from: parse(old), to: parse(new), path: prefix)
    }

    private static func parse(_ json: String) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
    }

    private static func changes(from old: Any?, to new: Any?, path: String) -> [String] {
        if let old = old as? [String: Any], let new = new as? [String: Any] {
            return Set(old.keys).union(new.keys).sorted().flatMap { key in
                changes(from: old[key], to: new[key], path: path.isEmpty ? key : "\(path).\(key)")
            }
        }
        switch (old.map(render), new.map(render)) {
        case (nil, nil): return []
        case (nil, let added?): return ["+ \(path): \(added)"]
        case (let removed?, nil): return ["- \(path): \(removed)"]
        case (let before?, let after?): return before == after ? [] : ["~ \(path): \(before) → \(after)"]
        }
    }

    /// A value as compact JSON (strings quoted).
    private static func render(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]) else {
            return "\(value)"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
