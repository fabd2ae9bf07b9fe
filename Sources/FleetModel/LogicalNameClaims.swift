/// Logical sandbox names and the resources that declare them. A `Sandbox` declares its own name; a
/// `SandboxSet` of n replicas declares `<name>-0` … `<name>-<n-1>`. Two resources declaring one logical
/// name would make every reconcile pass replace one's generation with the other's, forever, so such a
/// desired state is refused.
public struct LogicalNameClaim: Sendable, Equatable {
    /// `Kind/name` of the declaring resource.
    public var reference: String
    /// Where it is declared (a file without a line for resources already in the store).
    public var location: SourceLocation
    /// The logical sandbox names it declares.
    public var names: [String]

    /// A claim.
    public init(reference: String, location: SourceLocation, names: [String]) {
        self.reference = reference
        self.location = location
        self.names = names
    }

    /// The claim of a manifest (volumes declare no sandbox).
    public init(_ manifest: Manifest) {
        let names: [String] =
            switch manifest.spec {
            case .sandbox: [manifest.name]
            case .sandboxSet(let set): Self.setMembers(manifest.name, replicas: set.replicas)
            case .volume: []
            }
        self.init(reference: manifest.reference, location: manifest.location, names: names)
    }

    /// The logical names of a set's members.
    public static func setMembers(_ name: String, replicas: Int) -> [String] {
        (0..<max(0, replicas)).map { "\(name)-\($0)" }
    }

    /// Every logical name declared twice where at least one of the two claims is in `changed`: one error
    /// per pair of resources, at the changed one, naming both places and the first name they share.
    /// - Parameters:
    ///   - changed: the resources being applied or scaled.
    ///   - others: the rest of the desired state, as it stays.
    public static func conflicts(changed: [LogicalNameClaim], others: [LogicalNameClaim]) -> [ManifestError] {
        var owner: [String: LogicalNameClaim] = [:]
        for claim in others {
            for name in claim.names where owner[name] == nil { owner[name] = claim }
        }
        var errors: [ManifestError] = []
        var reported: Set<[String]> = []
        for claim in changed {
            for name in claim.names {
                guard let other = owner[name], other.reference != claim.reference else {
                    owner[name] = claim
                    continue
                }
                guard reported.insert([claim.reference, other.reference].sorted()).inserted else { continue }
                errors.append(
                    ManifestError(
                        claim.location,
                        "\(claim.reference) and \(other.reference) (at \(other.location)) both declare logical sandbox '\(name)': every pass would replace one's sandbox with the other's; rename one"
                    ))
            }
        }
        return errors
    }
}
