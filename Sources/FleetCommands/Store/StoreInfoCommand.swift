import ArgumentParser
import FleetStore
import Foundation

/// `porter-fleet store info`: engine, schema version, fleet id and counts.
struct StoreInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a store's engine, schema version, fleet id, what it holds and who holds its lease."
    )

    @OptionGroup var store: StoreOptions

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    /// What `store info` reports.
    struct Info: Encodable {
        var engine: String
        var location: String
        var schemaVersion: Int
        var fleet: String
        var namePrefix: String
        var desiredRevision: Int64
        var desired: [String: Int]
        var actualSandboxes: Int
        var trackedSandboxes: Int
        var logicalSandboxes: Int
        var pendingIntents: Int
        var ownedVolumes: Int
        var events: Int
        var leaseHolder: String?
    }

    func run() async throws {
        let fleetStore = try await store.open(create: false)
        let info: Info
        info = try await Self.info(fleetStore)
        let out = CommandOutput.current
        switch output {
        case .json, .yaml: out.line(output.render(info))
        case .text:
            out.line("engine: \(info.engine) (schema version \(info.schemaVersion))")
            out.line("location: \(info.location)")
            out.line("fleet: \(info.fleet)\(info.namePrefix.isEmpty ? "" : ", name prefix \(info.namePrefix)")")
            let desired = info.desired.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            out.line("desired state: revision \(info.desiredRevision), \(desired.isEmpty ? "empty" : desired)")
            out.line(
                "reconciler: \(info.logicalSandboxes) logical sandboxes, \(info.trackedSandboxes) tracked of \(info.actualSandboxes) recorded sandboxes, "
                    + "\(info.pendingIntents) unsettled creates, \(info.ownedVolumes) owned volumes")
            out.line("events: \(info.events)")
            out.line("lease: \(info.leaseHolder.map { "held by \($0)" } ?? "free")")
        }
    }

    static func info(_ store: any FleetStore) async throws -> Info {
        let snapshot = try await store.snapshot()
        var desired: [String: Int] = [:]
        for resource in snapshot.resources { desired[resource.kind.rawValue, default: 0] += 1 }
        return Info(
            engine: store.engine, location: store.location, schemaVersion: try await store.schemaVersion(),
            fleet: snapshot.settings["fleet_id"] ?? FleetID.legacyDefault, namePrefix: snapshot.settings["name_prefix"] ?? "",
            desiredRevision: snapshot.revision, desired: desired, actualSandboxes: snapshot.sandboxes.count,
            trackedSandboxes: snapshot.sandboxes.filter(\.tracked).count, logicalSandboxes: snapshot.statuses.count,
            pendingIntents: snapshot.intents.count, ownedVolumes: snapshot.volumes.count, events: snapshot.events.count,
            leaseHolder: try await store.leaseHolder()?.holder)
    }
}
