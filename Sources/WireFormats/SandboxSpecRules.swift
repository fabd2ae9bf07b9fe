/// The Sandbox API's rules for a sandbox create (`SandboxSpec`), stated once: the local Sandbox API
/// enforces them on every create, and manifests on `apply` (through the manifest schema, which also
/// publishes them as JSON Schema), so nothing `apply` accepts is refused by the API later.
public enum SandboxSpecRules {
    /// The ports a sandbox may expose: privileged ports are not allowed.
    public static let ports = 1024...65_535
    /// The most entries of `networking`, and of its `domains`.
    public static let maximumNetworkingEntries = 1
    /// The longest `ttl_seconds`: ten years.
    public static let maximumTTLSeconds = 10 * 365 * 86_400
    /// The longest sandbox or volume name: a DNS label.
    public static let maximumNameLength = 63

    /// Sandbox and volume names: DNS labels (RFC 1123), as they double as hostname labels.
    public static let dnsLabel = TextRule(
        pattern: "^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$(?!\\n)",
        requirement: "1–63 lowercase letters, digits and '-', starting and ending with a letter or digit",
        matches: isDNSLabel)

    /// Mount paths (`volume_mounts` keys): absolute, below `/`, with no `..` segment and no NUL byte.
    public static let mountPath = TextRule(
        pattern: "^(?!(?:[\\s\\S]*/)?\\.\\.(?![^/]))/[^\\u0000]+$(?!\\n)",
        requirement: "an absolute path below / without '..'",
        matches: isMountPath)

    /// `resources.cpu` and `resources.memory`: positive Kubernetes quantities (`500m`, `2`, `0.5`,
    /// `512Mi`, `1Gi`, `1G`, `1e9`), by Kubernetes' grammar: a decimal number, then a binary suffix
    /// (`Ki` … `Ei`), a decimal one (`n`, `u`, `m`, `k`, `M`, `G`, `T`, `P`, `E`) or an exponent.
    public static let quantity = TextRule(
        pattern: "^\\+?(?=[.0-9]*[1-9])(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$(?!\\n)",
        requirement: "a positive Kubernetes quantity: cores like 500m, 2 or 0.5; bytes like 512Mi, 1Gi, 1G or 1e9",
        matches: isQuantity)

    /// Any text the API passes to a process (image, command, arguments, environment): no NUL byte,
    /// which a process cannot receive (`A="x\0y"` would run as `A=x`).
    public static let processText = TextRule(
        pattern: "^[^\\u0000]*$(?!\\n)",
        requirement: "text without NUL bytes",
        problem: { text in
            SandboxTagRules.containsNUL(text) ? "contains a NUL byte, which a process cannot receive (the Sandbox API refuses it)" : nil
        })

    /// Whether `name` is a DNS label: 1–63 of `a-z0-9-`, starting and ending with a letter or digit.
    public static func isDNSLabel(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...maximumNameLength).contains(bytes.count) else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool { (97...122).contains(byte) || (48...57).contains(byte) }
        guard alphanumeric(bytes.first!), alphanumeric(bytes.last!) else { return false }
        return bytes.allSatisfy { alphanumeric($0) || $0 == 45 }
    }

    /// Whether `path` is an absolute mount path below `/` without a `..` segment or a NUL byte.
    public static func isMountPath(_ path: String) -> Bool {
        let slash = UInt8(ascii: "/")
        let bytes = Array(path.utf8)
        guard bytes.first == slash, bytes.count > 1, !bytes.contains(0) else { return false }
        return !bytes.split(separator: slash).contains { $0.elementsEqual("..".utf8) }
    }

    /// Whether `text` is a positive Kubernetes quantity (see ``quantity``).
    public static func isQuantity(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        func isDigit(_ byte: UInt8) -> Bool { (48...57).contains(byte) }
        func digits() -> (count: Int, nonZero: Bool) {
            var count = 0
            var nonZero = false
            while let byte = bytes.first, isDigit(byte) {
                count += 1
                nonZero = nonZero || byte != 48
                bytes = bytes.dropFirst()
            }
            return (count, nonZero)
        }
        if bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        let whole = digits()
        var fraction = (count: 0, nonZero: false)
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            fraction = digits()
        }
        guard whole.count + fraction.count > 0, whole.nonZero || fraction.nonZero else { return false }
        let suffix = String(decoding: bytes, as: UTF8.self)
        switch suffix {
        case "", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei": return true
        default:
            guard let first = bytes.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E") else { return false }
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            return digits().count > 0 && bytes.isEmpty
        }
    }
}
