import Foundation

/// Field-level differences between two JSON documents, terraform style, one per changed leaf:
/// `~ spec.image: "busybox" → "busybox:1.36"`, `+ tags.team: "ml"`, `- spec.args: ["-v"]`. Lists are
/// compared whole.
///
/// Environment values are secrets: a change under ``SecretFields`` is reported per variable without its
/// values (`~ spec.env.DB_PASSWORD: (changed)`), and a value shown whole (an added object) has them
/// replaced. Every diff, plan, event and replacement reason is made here, so none can show them.
public enum FieldDiff {
    /// The changes that take `old` to `new` (both JSON text), paths under `prefix`, by path.
    public static func changes(from old: String, to new: String, prefix: String) -> [FieldChange] {
        changes(from: parse(old), to: parse(new), path: prefix)
    }

    /// The same changes as lines.
    public static func lines(from old: String, to new: String, prefix: String) -> [String] {
        changes(from: old, to: new, prefix: prefix).map(\.description)
    }

    private static func parse(_ json: String) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
    }

    private static func changes(from old: Any?, to new: Any?, path: String) -> [FieldChange] {
        if SecretFields.isSecretMap(path), old is [String: Any] || new is [String: Any] {
            // One line per variable, also when the whole map is added or removed.
            let before = old as? [String: Any] ?? [:]
            let after = new as? [String: Any] ?? [:]
            return Set(before.keys).union(after.keys).sorted().flatMap { key in
                secretChange(from: before[key], to: after[key], path: "\(path).\(key)")
            }
        }
        if SecretFields.isSecret(path) { return secretChange(from: old, to: new, path: path) }
        if let old = old as? [String: Any], let new = new as? [String: Any] {
            return Set(old.keys).union(new.keys).sorted().flatMap { key in
                changes(from: old[key], to: new[key], path: path.isEmpty ? key : "\(path).\(key)")
            }
        }
        switch (old.map { render($0, at: path) }, new.map { render($0, at: path) }) {
        case (nil, nil): return []
        case (nil, let added?): return [FieldChange(path: path, old: nil, new: added)]
        case (let removed?, nil): return [FieldChange(path: path, old: removed, new: nil)]
        case (let before?, let after?): return before == after ? [] : [FieldChange(path: path, old: before, new: after)]
        }
    }

    /// The change of one secret value: whether it was set, removed or changed, never what it was.
    private static func secretChange(from old: Any?, to new: Any?, path: String) -> [FieldChange] {
        switch (old, new) {
        case (nil, nil): return []
        case (nil, _?): return [FieldChange(secretAt: path, .added)]
        case (_?, nil): return [FieldChange(secretAt: path, .removed)]
        case (let before?, let after?):
            return render(before, at: "") == render(after, at: "") ? [] : [FieldChange(secretAt: path, .changed)]
        }
    }

    /// A value as compact JSON (strings quoted), secrets inside it replaced by ``FieldChange/hidden``.
    private static func render(_ value: Any, at path: String) -> String {
        let shown = SecretFields.hidingSecrets(in: value, at: path)
        guard let data = try? JSONSerialization.data(withJSONObject: shown, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]) else {
            return "\(shown)"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
