/// One changed field: added (no old value), removed (no new value) or changed.
///
/// A secret field (an environment value, see ``SecretFields``) carries ``hidden`` instead of its values
/// and is shown as `+ path: (set)`, `- path: (removed)` or `~ path: (changed)`.
public struct FieldChange: Sendable, Equatable, Codable, CustomStringConvertible {
    /// What happened to a field.
    public enum Kind: String, Sendable, Codable {
        /// It was not there before.
        case added
        /// It is not there any more.
        case removed
        /// It is there before and after, with another value.
        case changed
    }

    /// What stands in for a secret value, in ``old`` and ``new`` and in objects shown whole.
    public static let hidden = "(hidden)"

    /// The dotted path, such as `spec.image` or `tags.team`.
    public var path: String
    /// The value before, as compact JSON; nil when the field was added; ``hidden`` for a secret.
    public var old: String?
    /// The value after, as compact JSON; nil when the field was removed; ``hidden`` for a secret.
    public var new: String?
    /// Whether the values are secret and so not recorded (only that the field changed).
    public var secret: Bool

    /// A change of `path` from `old` to `new`.
    public init(path: String, old: String?, new: String?) {
        self.path = path
        self.old = old
        self.new = new
        self.secret = false
    }

    /// A change of the secret field at `path`, without its values.
    public init(secretAt path: String, _ kind: Kind) {
        self.path = path
        self.old = kind == .added ? nil : Self.hidden
        self.new = kind == .removed ? nil : Self.hidden
        self.secret = true
    }

    /// Whether the field was added, removed or changed.
    public var kind: Kind {
        switch (old, new) {
        case (nil, _?): .added
        case (_?, nil): .removed
        default: .changed
        }
    }

    /// `+ path: new`, `- path: old` or `~ path: old → new`; for a secret `(set)`, `(removed)` or `(changed)`.
    public var description: String {
        if secret {
            switch kind {
            case .added: return "+ \(path): (set)"
            case .removed: return "- \(path): (removed)"
            case .changed: return "~ \(path): (changed)"
            }
        }
        switch (old, new) {
        case (nil, let new?): return "+ \(path): \(new)"
        case (let old?, nil): return "- \(path): \(old)"
        case (let old?, let new?): return "~ \(path): \(old) → \(new)"
        case (nil, nil): return "~ \(path)"
        }
    }

    private enum CodingKeys: String, CodingKey {
        case path, old, new, secret
    }

    /// Decodes a change; one recorded before secrets were marked is not secret.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decode(String.self, forKey: .path)
        old = try container.decodeIfPresent(String.self, forKey: .old)
        new = try container.decodeIfPresent(String.self, forKey: .new)
        secret = try container.decodeIfPresent(Bool.self, forKey: .secret) ?? false
    }
}
