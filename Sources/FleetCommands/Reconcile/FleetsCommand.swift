import ArgumentParser
import FleetReconciler
import FleetStore
import Foundation

/// `porter-fleet fleets`: the fleets that have live sandboxes on the API, by fleet id.
struct FleetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleets",
        abstract: "List the fleets with live sandboxes on the Sandbox API, by fleet id.",
        discussion: """
            Reads every live sandbox of the API once and groups those porter-fleet created by their fleet id \
            (the porter-fleet/fleet tag): how many live sandboxes and logical sandboxes each has. The fleet of this \
            store, when there is one, is marked. After a store was lost, \
            the old fleet's id is found here: 'porter-fleet apply --fleet ID -f …' into a new store takes that \
            fleet over with its history, instead of starting a second fleet beside it. Changes nothing.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var backend: BackendOptions

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    /// One fleet found on the API.
    struct Found: Encodable, Equatable {
        var fleet: String
        var liveSandboxes: Int
        var logicalSandboxes: Int
        var thisStore: Bool

        enum CodingKeys: String, CodingKey {
            case fleet
            case liveSandboxes = "live_sandboxes"
            case logicalSandboxes = "logical_sandboxes"
            case thisStore = "this_store"
        }
    }

    func run() async throws {
        let logger = store.logging.logger()
        let ours = try? await store.open(create: false).settings().fleetID
        let live = try await backend.withPorter(logger: logger) { porter in
            try await PorterSandboxBackend(porter: porter).liveSandboxes(tags: [:])
        }
        let fleets = Self.group(live, ours: ours)
        let out = CommandOutput.current
        if output != .text {
            out.line(output.render(fleets))
            return
        }
        guard !fleets.isEmpty else {
            out.line("no live sandbox of any porter-fleet fleet on the API")
            return
        }
        let rows = fleets.map { [$0.fleet + ($0.thisStore ? " (this store)" : ""), "\($0.liveSandboxes)", "\($0.logicalSandboxes)"] }
        out.raw(TextTable.render([["FLEET", "LIVE", "LOGICAL"]] + rows))
    }

    /// Live sandboxes grouped by fleet id, most live first.
    static func group(_ live: [ObservedSandbox], ours: String?) -> [Found] {
        let byFleet = Dictionary(grouping: live.filter { $0.fleet != nil }) { $0.fleet ?? "" }
        return byFleet.map { fleet, sandboxes in
            Found(
                fleet: fleet, liveSandboxes: sandboxes.count, logicalSandboxes: Set(sandboxes.compactMap(\.logicalName)).count,
                thisStore: fleet == ours)
        }.sorted { ($0.liveSandboxes, $1.fleet) > ($1.liveSandboxes, $0.fleet) }
    }
}
