import FleetModel
import FleetTestSupport

/// Random desired states for one fleet of the state machine: a set, a long-running sandbox, two jobs
/// (`never` and `on_failure`), and volumes. Each fleet has sandbox names of its own and a volume of its
/// own, and two volume names are shared by the two fleets, so their volumes meet on the API under one
/// name where both name volumes plainly.
struct RandomManifests {
    /// The logical names of one fleet's resources.
    struct Names {
        var set: String
        var service: String
        var job: String
        var retriedJob: String
        /// A volume only this fleet declares.
        var ownVolume: String

        /// The restart policy of each job, by logical name.
        var jobPolicies: [String: RestartPolicy] { [job: .never, retriedJob: .onFailure] }
    }

    /// Volume names both fleets declare.
    static let sharedVolumes = ["scratch", "cache"]
    /// The volume seeded on the API before any fleet, declared with `adopt: true`.
    static let legacyVolume = "legacy"

    let names: Names
    let random: SharedRandom

    /// A whole desired state, and a line saying what it holds.
    func desiredState() -> (text: String, summary: String) {
        var documents: [String] = []
        var summary: [String] = []
        var volumes: Set<String> = []
        let volumeNames = Self.sharedVolumes + [names.ownVolume]
        let mount = random.chance(0.4) ? volumeNames[random.int(in: 0...(volumeNames.count - 1))] : nil
        if let mount { volumes.insert(mount) }
        let replicas = random.int(in: 0...6)
        let image = random.chance(0.5) ? "i:1" : "i:2"
        let ttl = random.chance(0.3) ? [120, 300, 900][random.int(in: 0...2)] : nil
        documents.append(Self.set(names.set, replicas: replicas, image: image, ttl: ttl, mount: mount))
        summary.append("\(names.set)×\(replicas) \(image)\(ttl.map { " ttl \($0)" } ?? "")\(mount.map { " mounts \($0)" } ?? "")")
        if random.chance(0.6) {
            let ttl = random.chance(0.2) ? 300 : nil
            documents.append(Self.sandbox(names.service, policy: .always, ttl: ttl))
            summary.append("\(names.service)\(ttl.map { " ttl \($0)" } ?? "")")
        }
        for (job, policy) in [(names.job, RestartPolicy.never), (names.retriedJob, .onFailure)] where random.chance(0.45) {
            documents.append(Self.sandbox(job, policy: policy, ttl: nil))
            summary.append("\(job) (\(policy.rawValue))")
        }
        for volume in volumeNames where random.chance(0.4) { volumes.insert(volume) }
        for volume in volumes.sorted() {
            let policy: DeletionPolicy = random.chance(0.6) ? .delete : .retain
            let adopt = random.chance(0.25)
            documents.append(Self.volume(volume, policy: policy, adopt: adopt))
            summary.append("volume \(volume) \(policy.rawValue)\(adopt ? " adopt" : "")")
        }
        if random.chance(0.3) {
            let policy: DeletionPolicy = random.chance(0.5) ? .delete : .retain
            documents.append(Self.volume(Self.legacyVolume, policy: policy, adopt: true))
            summary.append("volume \(Self.legacyVolume) \(policy.rawValue) adopt")
        }
        return (documents.joined(separator: "---\n"), summary.joined(separator: ", "))
    }

    static func set(_ name: String, replicas: Int, image: String, ttl: Int? = nil, mount: String? = nil) -> String {
        "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: \(name)\nspec:\n  replicas: \(replicas)\n  template:\n    image: \(image)\n"
            + (ttl.map { "    ttl_seconds: \($0)\n" } ?? "") + (mount.map { "    volume_mounts:\n      /data: \($0)\n" } ?? "")
    }

    static func sandbox(_ name: String, policy: RestartPolicy, ttl: Int?) -> String {
        "apiVersion: porter-fleet/v1\nkind: Sandbox\nname: \(name)\nspec:\n  image: i:1\n  restart_policy: \(policy.rawValue)\n"
            + (ttl.map { "  ttl_seconds: \($0)\n" } ?? "")
    }

    static func volume(_ name: String, policy: DeletionPolicy, adopt: Bool) -> String {
        "apiVersion: porter-fleet/v1\nkind: Volume\nname: \(name)\nspec:\n  deletion_policy: \(policy.rawValue)\n" + (adopt ? "  adopt: true\n" : "")
    }

    static func manifests(_ text: String) throws -> [(manifest: Manifest, source: String)] {
        try ManifestParser.parse(text, file: "fleet.yaml").map { ($0, "fleet.yaml") }
    }
}
