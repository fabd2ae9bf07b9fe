import Foundation
import PorterSandbox

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

    static func validate(_ spec: SandboxSpec) throws {
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
        if let ttl = spec.ttlSeconds, ttl < 1 { throw LocalAPIError.badRequest("ttl_seconds must be at least 1") }
        for key in spec.env?.additionalProperties.keys.sorted() ?? [] where key.isEmpty || key.contains("=") || key.contains("\0") {
            throw LocalAPIError.badRequest("env: '\(key)' is not a valid variable name")
        }
        if let groups = spec.envGroups, !groups.isEmpty {
            throw LocalAPIError.badRequest("env_groups: environment group '\(groups[0])' does not exist (the local Sandbox API has none)")
        }
    }
}
