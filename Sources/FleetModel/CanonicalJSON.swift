import Crypto
import Foundation

/// The canonical JSON of a value: keys sorted, no insignificant white space, nil fields left out,
/// slashes unescaped. Equal values give equal bytes, so hashes of it identify specs.
public enum CanonicalJSON {
    /// The canonical JSON bytes of `value`.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// The canonical JSON of `value` as a string.
    public static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }
}

/// The first 16 hex characters of SHA-256 over a spec's canonical JSON (docs/manifests.md, "Identity of a spec").
public enum SpecHash {
    /// The hash of `value`'s canonical JSON.
    public static func of<T: Encodable>(_ value: T) throws -> String {
        hash(of: try CanonicalJSON.encode(value))
    }

    /// The hash of raw bytes.
    public static func hash(of data: Data) -> String {
        SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}

extension Manifest {
    /// What identifies this resource's desired state: its user tags and spec, as stored.
    public struct Payload: Codable, Equatable, Sendable {
        /// The user's tags.
        public var tags: [String: String]
        /// A sandbox's template.
        public var sandbox: SandboxTemplate?
        /// A set's spec.
        public var sandboxSet: SandboxSetSpec?
        /// A volume's spec.
        public var volume: VolumeSpecification?

        enum CodingKeys: String, CodingKey {
            case tags
            case sandbox
            case sandboxSet = "sandbox_set"
            case volume
        }
    }

    /// The stored form of the spec (the field names of docs/manifests.md).
    public var specJSON: String {
        get throws {
            switch spec {
            case .sandbox(let template): try CanonicalJSON.string(template)
            case .sandboxSet(let set): try CanonicalJSON.string(set)
            case .volume(let volume): try CanonicalJSON.string(volume)
            }
        }
    }

    /// The hash of tags and spec: equal when an apply would change nothing.
    public var specHash: String {
        get throws {
            var payload = Payload(tags: tags)
            switch spec {
            case .sandbox(let template): payload.sandbox = template
            case .sandboxSet(let set): payload.sandboxSet = set
            case .volume(let volume): payload.volume = volume
            }
            return try SpecHash.of(payload)
        }
    }

    /// Rebuilds a manifest from its stored kind, name, tags JSON and spec JSON.
    public static func stored(kind: ResourceKind, name: String, tags: [String: String], specJSON: Data, source: String) throws -> Manifest {
        let decoder = JSONDecoder()
        let spec: ResourceSpec =
            switch kind {
            case .sandbox: .sandbox(try decoder.decode(SandboxTemplate.self, from: specJSON))
            case .sandboxSet: .sandboxSet(try decoder.decode(SandboxSetSpec.self, from: specJSON))
            case .volume: .volume(try decoder.decode(VolumeSpecification.self, from: specJSON))
            }
        return Manifest(kind: kind, name: name, tags: tags, spec: spec, location: SourceLocation(file: source, line: 0, column: 0))
    }
}
