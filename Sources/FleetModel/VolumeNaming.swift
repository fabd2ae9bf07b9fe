import Crypto
import Foundation

/// How a fleet names its volumes on the Sandbox API. Volumes carry no tags, so a volume's name is the
/// only mark of whose it is: with `scoped` (every store created since this setting exists) the name
/// carries a scope derived from the fleet id (`<prefix><scope>-<logical>`, e.g. `k2f7qa-data`), which a
/// second fleet cannot produce by accident, while a store recovered with the same `--fleet` id derives
/// the same names and finds its volumes again. `plain` (stores that owned volumes before) names a volume
/// `<prefix><logical>`.
public enum VolumeNaming: String, Sendable, Codable, CaseIterable {
    /// `<prefix><scope>-<logical>`: the name itself is evidence of the fleet.
    case scoped
    /// `<prefix><logical>`: any fleet may produce the name.
    case plain

    /// The characters a scope adds to every volume name (`<6 characters>-`).
    public static let scopeLength = 7

    /// The scope of `fleetID`: the first 6 base-36 digits of SHA-256 over the id, and `-`.
    public static func scope(fleetID: String) -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        var value = SHA256.hash(data: Data(fleetID.utf8)).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        var digits: [Character] = []
        for _ in 0..<(scopeLength - 1) {
            digits.append(alphabet[Int(value % 36)])
            value /= 36
        }
        return String(digits) + "-"
    }

    /// The part of every volume name after the fleet's name prefix and before the logical name.
    public func scope(fleetID: String) -> String {
        switch self {
        case .scoped: Self.scope(fleetID: fleetID)
        case .plain: ""
        }
    }
}
