import ArgumentParser
import FleetModel
import FleetStore
import Foundation

/// `porter-fleet get`: the desired state, with the observed status columns the reconciler fills.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show desired resources and their observed status.",
        discussion: """
            porter-fleet get [sandboxes|sets|volumes|all] [NAME] [-l SELECTOR]... [-o table|wide|json|yaml|name]
            The SYNC, HEALTH, PHASE and GENERATION columns stay empty until the reconciler has observed the fleet.
            -o yaml and -o json print environment values as they are (they round-trip, as 'export' does); the tables never show them.
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(
        help: ArgumentHelp("What to show: sandboxes, sets, volumes or all (default all), then an optional name.", valueName: "kind [name]"),
        completion: Completions.kindsThenNames)
    var words: [String] = []

    @Option(
        name: [.customShort("l"), .customLong("selector")],
        help: ArgumentHelp(
            "Only resources whose tags match: key=value, key!=value, 'key in (a,b)', 'key notin (a)', key, !key; comma-separated, repeatable (all must match).",
            valueName: "selector"),
        transform: { try LabelSelector(parsing: $0) })
    var selectors: [LabelSelector] = []

    @Option(name: [.short, .customLong("output")], help: "Output format: table, wide, json, yaml or name.")
    var output: GetFormat = .table

    @Flag(name: [.short, .customLong("watch")], help: "Show it again whenever the desired state or the observed status changes, until interrupted.")
    var watch = false

    mutating func validate() throws {
        words = try KindNameWords.expand(words)
        if let first = words.first, first != "all", ResourceKind(word: first) == nil {
            throw ValidationError("unknown kind '\(first)': use sandboxes, sets, volumes or all")
        }
        if words.count > 2 { throw ValidationError("give at most a kind and a name") }
    }

    func run() async throws {
        let fleetStore = try await store.open(create: false)
        try await Watch.show(fleetStore, watch: watch) { try await show(fleetStore) }
    }

    private func show(_ fleetStore: any FleetStore) async throws {
        let kind = words.first.flatMap(ResourceKind.init(word:))
        let name = words.count == 2 ? words[1] : nil
        let resources = try await fleetStore.resources(kind: kind).filter { resource in
            (name == nil || resource.name == name) && selectors.allSatisfy { $0.matches(resource.tagMap) }
        }
        if let name, resources.isEmpty {
            throw CommandFailure("\(kind?.rawValue ?? "resource") '\(name)' not found in the desired state")
        }
        let out = CommandOutput.current
        switch output {
        case .json:
            let observed = try await observedStatuses(resources, in: fleetStore)
            let items = try zip(resources, observed).map { try GetItem($0, status: $1) }
            out.line(JSONOutput.string(GetOutput(fleet: try await fleetStore.settings().fleetID, revision: try await fleetStore.revision(), items: items)))
        case .yaml:
            // Manifests with the observed status, as kubectl prints them; apply ignores `status`, so they
            // still round-trip.
            let observed = try await observedStatuses(resources, in: fleetStore)
            out.raw(try ManifestExport.yaml(resources, statuses: observed.map(\.fields)))
        case .name:
            for resource in resources { out.line("\(resource.kind.rawValue.lowercased())/\(resource.name)") }
        case .table, .wide:
            out.write(try GetTable.render(resources, observed: try await observedStatuses(resources, in: fleetStore), wide: output == .wide))
        }
    }
}

extension GetCommand {
    /// The observed status of each resource, in order, from the statuses and volumes the store recorded.
    func observedStatuses(_ resources: [DesiredResource], in store: any FleetStore) async throws -> [ObservedStatus] {
        guard !resources.isEmpty else { return [] }
        let statuses = Dictionary(grouping: try await store.statuses(), by: \.owner)
        let owned = resources.contains { $0.kind == .volume } ? try await store.reconcilerState().ownedVolumes : [:]
        return try resources.map { try ObservedStatus($0, statuses: statuses, ownedVolumes: owned) }
    }
}

/// Output formats of `get`.
enum GetFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table
    case wide
    case json
    case yaml
    /// `kind/name` per line, for scripts (`porter-fleet get -o name | xargs …`).
    case name
}

/// `get -o json`: `{fleet, revision, items: [...]}`.
struct GetOutput: Encodable {
    var fleet: String
    var revision: Int64
    var items: [GetItem]
}

/// One resource in `get -o json`, with the observed status (null until the reconciler has run).
struct GetItem: Encodable {
    var kind: String
    var name: String
    var tags: [String: String]
    var spec: JSONValue
    var specHash: String
    var source: String
    var revision: Int64
    var updatedAt: Date
    var status: ObservedStatus

    init(_ resource: DesiredResource, status: ObservedStatus) throws {
        kind = resource.kind.rawValue
        name = resource.name
        tags = resource.tagMap
        spec = try JSONDecoder().decode(JSONValue.self, from: Data(resource.spec.utf8))
        specHash = resource.specHash
        source = resource.source
        revision = resource.revision
        updatedAt = resource.updatedAt
        self.status = status
    }
}

/// The observed columns of `get`, from what the reconciler recorded (null before its first pass).
struct ObservedStatus: Encodable {
    var sync: String?
    var health: String?
    var phase: String?
    var generation: Int?
    var actualName: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sync, forKey: .sync)
        try container.encode(health, forKey: .health)
        try container.encode(phase, forKey: .phase)
        try container.encode(generation, forKey: .generation)
        try container.encode(actualName, forKey: .actualName)
    }

    enum CodingKeys: String, CodingKey {
        case sync, health, phase, generation
        case actualName = "actual_name"
    }

    /// The recorded fields, for `get -o yaml` (empty before the reconciler's first pass).
    var fields: [String: Any] {
        var fields: [String: Any] = [:]
        if let sync { fields[CodingKeys.sync.stringValue] = sync }
        if let health { fields[CodingKeys.health.stringValue] = health }
        if let phase { fields[CodingKeys.phase.stringValue] = phase }
        if let generation { fields[CodingKeys.generation.stringValue] = generation }
        if let actualName { fields[CodingKeys.actualName.stringValue] = actualName }
        return fields
    }
}
