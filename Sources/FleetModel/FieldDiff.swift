import Foundation

/// Field-level differences between two JSON documents, terraform style, one per changed leaf:
/// `~ spec.image: "busybox" → "busybox:1.36"`, `+ tags.team: "ml"`, `- spec.env.DEBUG: "1"`. Lists are
/// compared whole.
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
        if let old = old as? [String: Any], let new = new as? [String: Any] {
            return Set(old.keys).union(new.keys).sorted().flatMap { key in
                changes(from: old[key], to: new[key], path: path.isEmpty ? key : "\(path).\(key)")
            }
        }
        switch (old.map(render), new.map(render)) {
        case (nil, nil): return []
        case (nil, let added?): return [FieldChange(path: path, old: nil, new: added)]
        case (let removed?, nil): return [FieldChange(path: path, old: removed, new: nil)]
        case (let before?, let after?): return before == after ? [] : [FieldChange(path: path, old: before, new: after)]
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

/// One changed field: added (no old value), removed (no new value) or changed.
public struct FieldChange: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The dotted path, such as `spec.image` or `tags.team`.
    public var path: String
    /// The value before, as compact JSON; nil when the field was added.
    public var old: String?
    /// The value after, as compact JSON; nil when the field was removed.
    public var new: String?

    /// A change of `path` from `old` to `new`.
    public init(path: String, old: String?, new: String?) {
        self.path = path
        self.old = old
        self.new = new
    }

    /// `+ path: new`, `- path: old` or `~ path: old → new`.
    public var description: String {
        switch (old, new) {
        case (nil, let new?): "+ \(path): \(new)"
        case (let old?, nil): "- \(path): \(old)"
        case (let old?, let new?): "~ \(path): \(old) → \(new)"
        case (nil, nil): "~ \(path)"
        }
    }
}
