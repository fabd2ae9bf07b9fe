import WireFormats

/// Name and value rules shared by manifests, the store and the reconciler.
public enum ManifestRules {
    /// The most replicas a set may ask for.
    public static let maximumReplicas = 10_000
    /// The longest `ttl_seconds` accepted: ten years, as the Sandbox API allows.
    public static let maximumTTLSeconds = SandboxSpecRules.maximumTTLSeconds
    /// The longest image reference accepted.
    public static let maximumImageLength = 1024
    /// The tags porter-fleet puts on every sandbox it creates (`porter-fleet/fleet`, `/name`,
    /// `/generation`, `/spec-hash`).
    public static let ownershipTagCount = 4
    /// The most tags a manifest may declare: the Sandbox API's limit less the ownership tags.
    public static let maximumTagCount = SandboxTagRules.maximumCount - ownershipTagCount
    /// Characters reserved in every actual sandbox name for `-g<generation>` (up to `-g999999`).
    public static let generationSuffixLength = 8

    /// The key prefix reserved for the ownership tags.
    public static let reservedTagPrefix = "porter-fleet/"

    /// Environment variable names (`env` keys).
    public static let envName = TextRule(
        pattern: "^[A-Za-z_][A-Za-z0-9_]*$(?!\\n)",
        requirement: "a variable name: letters, digits and _, not starting with a digit",
        matches: isEnvName)

    /// The keys of a manifest's tags: the Sandbox API's tag keys, less the prefix reserved for the
    /// ownership tags (which holds no regular-expression metacharacter, so it stands in the pattern as is).
    public static let tagKey = TextRule(
        pattern: "^(?!\(reservedTagPrefix))" + SandboxTagRules.key.pattern.dropFirst(),
        requirement: "\(SandboxTagRules.key.requirement), not starting with '\(reservedTagPrefix)'",
        problem: { key in
            key.utf8.starts(with: reservedTagPrefix.utf8) ? "'\(key)' uses the reserved prefix '\(reservedTagPrefix)'" : SandboxTagRules.keyProblem(key)
        })

    /// Whether `name` is a DNS label: 1–63 of `a-z0-9-`, starting and ending with a letter or digit.
    public static func isDNSLabel(_ name: String) -> Bool { SandboxSpecRules.isDNSLabel(name) }

    /// The longest logical name a resource of `kind` may have with a fleet's `namePrefix`, leaving room
    /// for `-<index>` of a set and `-g<generation>`.
    public static func maximumNameLength(kind: ResourceKind, namePrefix: String, replicas: Int = 1) -> Int {
        switch kind {
        case .volume: return 63 - namePrefix.count
        case .sandbox: return 63 - namePrefix.count - generationSuffixLength
        case .sandboxSet: return 63 - namePrefix.count - generationSuffixLength - 1 - String(max(0, replicas - 1)).count
        }
    }

    /// Whether `text` is ≤ 63 characters of `[A-Za-z0-9._-]` (and `/` in keys), as tag values must be.
    public static func isTagText(_ text: String) -> Bool {
        text.utf8.count <= 63 && text.utf8.allSatisfy { byte in
            (65...90).contains(byte) || (97...122).contains(byte) || (48...57).contains(byte) || byte == 46 || byte == 95 || byte == 45 || byte == 47
        }
    }

    /// Whether `name` is a valid environment variable name.
    public static func isEnvName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(48...57).contains(first) else { return false }
        return name.utf8.allSatisfy { (65...90).contains($0) || (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
    }

    /// Whether `path` is an absolute mount path below `/` without `..`.
    public static func isMountPath(_ path: String) -> Bool { SandboxSpecRules.isMountPath(path) }
}
