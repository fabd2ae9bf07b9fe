import Foundation
import PorterSandbox
import WireFormats

/// The checks the local Sandbox API makes on a create, each failing with `badRequest` and a message
/// naming the field.
enum SandboxSpecValidation {
    /// Whether `name` is a DNS label: 1–63 of `a-z0-9-`, starting and ending with a letter or digit.
    static func isDNSLabel(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count) else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool { (97...122).contains(byte) || (48...57).contains(byte) }
        guard alphanumeric(bytes.first!), alphanumeric(bytes.last!) else { return false }
        return bytes.allSatisfy { alphanumeric($0) || $0 == 45 }
    }

    /// The longest lifetime `ttl_seconds` may ask for: ten years.
    static let maximumTTLSeconds: Int64 = 10 * 365 * 86_400

    static func validate(_ spec: SandboxSpec) throws {
        try refuseNULs(spec)
        let image = spec.image ?? ""
        if let snapshot = spec.snapshotId, !snapshot.isEmpty {
            guard image.isEmpty else { throw LocalAPIError.badRequest("image must be empty when snapshot_id is set") }
            throw LocalAPIError.notImplemented("snapshots are not supported by the local Sandbox API")
        }
        guard !image.isEmpty else { throw LocalAPIError.badRequest("image is required") }
        if let name = spec.name, !isDNSLabel(name) {
            throw LocalAPIError.badRequest("name '\(name)' is not a DNS label (1–63 lowercase letters, digits and '-', starting and ending with a letter or digit)")
        }
        for path in spec.volumeMounts?.additionalProperties.keys.sorted() ?? [] {
            guard path.hasPrefix("/"), path != "/", !path.split(separator: "/").contains(".."), !path.contains("\0") else {
                throw LocalAPIError.badRequest("volume_mounts: mount path '\(path)' must be an absolute path below /")
            }
        }
        if let networking = spec.networking {
            guard networking.count <= 1 else { throw LocalAPIError.badRequest("networking: at most one entry is supported") }
            if let entry = networking.first {
                guard (1024...65535).contains(entry.port) else {
                    throw LocalAPIError.badRequest("networking[0].port \(entry.port) is outside 1024–65535")
                }
                if entry._internal == true, !(entry.domains ?? []).isEmpty {
                    throw LocalAPIError.badRequest("networking[0]: internal cannot be combined with domains")
                }
                guard (entry.domains ?? []).count <= 1 else { throw LocalAPIError.badRequest("networking[0].domains: at most one entry") }
            }
        }
        if let ttl = spec.ttlSeconds, !(1...maximumTTLSeconds).contains(ttl) {
            throw LocalAPIError.badRequest("ttl_seconds must be between 1 and \(maximumTTLSeconds) (ten years), not \(ttl)")
        }
        try validateTags(spec.tags?.additionalProperties ?? [:])
        for key in spec.env?.additionalProperties.keys.sorted() ?? [] where key.isEmpty || key.contains("=") || key.contains("\0") {
            throw LocalAPIError.badRequest("env: '\(key)' is not a valid variable name")
        }
        if let groups = spec.envGroups, !groups.isEmpty {
            throw LocalAPIError.badRequest("env_groups: environment group '\(groups[0])' does not exist (the local Sandbox API has none)")
        }
    }

    /// NUL bytes would be cut silently at exec (`A="x\0y"` runs as `A=x`), so they are refused.
    static func refuseNULs(_ spec: SandboxSpec) throws {
        let fields: [(String, [String])] = [
            ("image", [spec.image ?? ""]), ("name", [spec.name ?? ""]), ("command", spec.command ?? []), ("args", spec.args ?? []),
            ("env", (spec.env?.additionalProperties ?? [:]).flatMap { [$0.key, $0.value] }),
        ]
        for (field, values) in fields where values.contains(where: SandboxTagRules.containsNUL) {
            throw LocalAPIError.badRequest("\(field) contains a NUL byte, which a process cannot receive")
        }
    }

    /// Exec commands follow the same rule as the sandbox's own command.
    static func validateExecCommand(_ command: [String]) throws {
        guard !command.isEmpty else { throw LocalAPIError.badRequest("command must not be empty") }
        if command.contains(where: { $0.contains("\0") }) {
            throw LocalAPIError.badRequest("command contains a NUL byte, which a process cannot receive")
        }
    }

    static func validateTags(_ tags: [String: String]) throws {
        guard tags.count <= TagRules.maximumCount else {
            throw LocalAPIError.badRequest("tags: \(tags.count) tags given; a sandbox has at most \(TagRules.maximumCount)")
        }
        for (key, value) in tags.sorted(by: { $0.key < $1.key }) {
            if let problem = TagRules.problem(key: key, value: value) { throw LocalAPIError.badRequest("tags: \(problem)") }
        }
    }
}
