import Foundation
import PorterSandbox
import WireFormats

/// The checks the local Sandbox API makes on a create, each failing with `badRequest` and a message
/// naming the field. The rules themselves are the Sandbox API's, stated once in ``SandboxSpecRules`` and
/// ``SandboxTagRules``, which manifests are held to on `apply` as well.
enum SandboxSpecValidation {
    /// Whether `name` is a DNS label: 1–63 of `a-z0-9-`, starting and ending with a letter or digit.
    static func isDNSLabel(_ name: String) -> Bool { SandboxSpecRules.isDNSLabel(name) }

    /// The longest lifetime `ttl_seconds` may ask for: ten years.
    static let maximumTTLSeconds = Int64(SandboxSpecRules.maximumTTLSeconds)

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
            guard SandboxSpecRules.isMountPath(path) else {
                throw LocalAPIError.badRequest("volume_mounts: mount path '\(path)' must be an absolute path below /")
            }
        }
        if let networking = spec.networking {
            guard networking.count <= SandboxSpecRules.maximumNetworkingEntries else {
                throw LocalAPIError.badRequest("networking: at most one entry is supported")
            }
            if let entry = networking.first {
                guard SandboxSpecRules.ports.contains(Int(clamping: entry.port)) else {
                    let ports = SandboxSpecRules.ports
                    throw LocalAPIError.badRequest("networking[0].port \(entry.port) is outside \(ports.lowerBound)–\(ports.upperBound)")
                }
                if entry._internal == true, !(entry.domains ?? []).isEmpty {
                    throw LocalAPIError.badRequest("networking[0]: internal cannot be combined with domains")
                }
                guard (entry.domains ?? []).count <= SandboxSpecRules.maximumNetworkingEntries else { throw LocalAPIError.badRequest("networking[0].domains: at most one entry") }
            }
        }
        for (field, value) in [("cpu", spec.resources?.cpu), ("memory", spec.resources?.memory)] {
            if let value, !SandboxSpecRules.isQuantity(value) {
                throw LocalAPIError.badRequest("resources.\(field) '\(value)' is not \(SandboxSpecRules.quantity.requirement)")
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
