/// The limits on sandbox tags, those of Kubernetes labels: a key is an optional DNS-subdomain prefix
/// and `/`, then a name of 1–63 of `A-Z a-z 0-9 . _ -` starting and ending with a letter or digit; a
/// value is at most 63 characters (Unicode scalars, as JSON Schema counts them) with no control characters;
/// a sandbox has at most 64 tags.
///
/// The Sandbox API's rule, stated once: the local Sandbox API enforces it on every create, and manifests
/// on `apply`, so nothing `apply` accepts is refused later.
public enum SandboxTagRules {
    /// The most tags one sandbox may carry.
    public static let maximumCount = 64
    /// The longest tag name (after any prefix) and the longest value.
    public static let maximumNameLength = 63
    /// The longest key prefix (a DNS subdomain).
    public static let maximumPrefixLength = 253

    /// Whether `text` holds a NUL byte, which a process cannot receive in its image, command, arguments
    /// or environment (`A="x\0y"` would run as `A=x`): the Sandbox API refuses such a spec.
    public static func containsNUL(_ text: String) -> Bool { text.utf8.contains(0) }

    /// Tag keys: an optional prefix (a DNS subdomain of at most 253 characters) and `/`, then a name of
    /// 1–63 of `A-Z a-z 0-9 . _ -` starting and ending with a letter or digit.
    public static let key = TextRule(
        pattern: "^(?:(?=[^/]{1,253}/)[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*/)?"
            + "[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$(?!\\n)",
        requirement: "a tag key: an optional DNS-subdomain prefix and '/', then 1–63 of A-Z a-z 0-9 . _ - starting and ending with a letter or digit",
        problem: keyProblem)

    /// The characters of tag values: no control characters (their length is limited apart, to
    /// ``maximumNameLength`` characters).
    public static let value = TextRule(
        pattern: "^[^\\u0000-\\u001F\\u007F]*$(?!\\n)",
        requirement: "text without control characters",
        matches: { !containsControlCharacter($0) })

    /// Why a tag is refused, or nil when it is fine.
    public static func problem(key: String, value: String) -> String? {
        if let problem = keyProblem(key) { return problem }
        let shownKey = key.count > 80 ? "\(key.prefix(80))…" : key
        guard !containsControlCharacter(value) else { return "tag '\(shownKey)' contains a control character (NUL included)" }
        let length = value.unicodeScalars.count
        guard length <= maximumNameLength else {
            return "tag '\(shownKey)': the value is \(length) characters long; values are at most \(maximumNameLength)"
        }
        return nil
    }

    /// Why `key` is not a tag key, or nil when it is one.
    public static func keyProblem(_ key: String) -> String? {
        let shownKey = key.count > 80 ? "\(key.prefix(80))…" : key
        guard !containsControlCharacter(key) else { return "tag '\(shownKey)' contains a control character (NUL included)" }
        let parts = key.utf8.split(separator: UInt8(ascii: "/"), maxSplits: 1, omittingEmptySubsequences: false)
        let name = parts[parts.count - 1]
        if parts.count == 2 {
            let prefix = parts[0]
            guard !prefix.isEmpty, prefix.count <= maximumPrefixLength, isDNSSubdomain(prefix) else {
                return "tag key '\(shownKey)': the prefix before '/' must be a DNS subdomain of at most \(maximumPrefixLength) characters"
            }
        }
        guard !name.isEmpty, name.count <= maximumNameLength, isLabelName(name) else {
            return "tag key '\(shownKey)' must be 1–\(maximumNameLength) characters of A-Z a-z 0-9 . _ - (starting and ending with a letter or digit), with an optional 'prefix/'"
        }
        return nil
    }

    private static func containsControlCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (65...90).contains(byte) || (97...122).contains(byte) || (48...57).contains(byte)
    }

    private static func isLabelName(_ name: Substring.UTF8View) -> Bool {
        let bytes = Array(name)
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == 46 || $0 == 95 || $0 == 45 }
    }

    private static func isDNSSubdomain(_ prefix: Substring.UTF8View) -> Bool {
        prefix.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy { label in
            let bytes = Array(label)
            guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
            func lowerAlphanumeric(_ byte: UInt8) -> Bool { (97...122).contains(byte) || (48...57).contains(byte) }
            return lowerAlphanumeric(first) && lowerAlphanumeric(last) && bytes.allSatisfy { lowerAlphanumeric($0) || $0 == 45 }
        }
    }
}
