/// Fleet ids: the value of the `porter-fleet/fleet` tag on every sandbox a store's controller creates,
/// and so the first half of ownership. Two stores on one Sandbox API must never share one by accident,
/// so a new store gets a unique id; `--fleet ID` at creation chooses one deliberately.
public enum FleetID {
    /// The id stores created before ids were generated recorded, and keep.
    public static let legacyDefault = "default"

    /// A new id: `fleet-` and 10 random characters of `a-z 0-9` (about 51 bits), e.g. `fleet-k3v9q0m2xa`.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// A new id drawn from `generator` (for tests).
    public static func generate<G: RandomNumberGenerator>(using generator: inout G) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return "fleet-" + String((0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
