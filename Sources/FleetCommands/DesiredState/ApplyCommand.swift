import ArgumentParser
import FleetModel
import FleetStore
import Foundation

/// `porter-fleet apply -f PATH...`: makes the desired state what the manifests say, in one transaction.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply manifests to the desired state (all or nothing).",
        discussion: """
            Each resource is reported as created, configured, unchanged or pruned. Directories apply every \
            *.yaml, *.yml and *.json file inside; '-' reads standard input. With --prune, resources applied \
            earlier from the same files or directories that are no longer in them are removed.
            Limits: a file of at most 64 MiB, counting each YAML alias (*name) as the text it repeats; a resource \
            of at most 1 MiB the same way. Nothing the Sandbox API would refuse is accepted: NUL bytes in any string, \
            more than 60 tags, tag keys and values outside its rules (docs/manifests.md).
            """
    )

    @OptionGroup var store: StoreOptions

    @OptionGroup var manifestFiles: ManifestOptions

    @Flag(help: "Remove resources applied earlier from these paths that are no longer in them.")
    var prune = false

    @Flag(help: "Report what would change, field by field, and change nothing (exit 2 when something would).")
    var dryRun = false

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    func run() async throws {
        let (manifests, sources) = try ManifestFiles.read(manifestFiles.files)
        let (fleetStore, scratch) = try await openStore()
        defer { if let scratch { try? FileManager.default.removeItem(at: scratch) } }
        if dryRun {
            try await ApplyPreview.show(manifests, sources: sources, prune: prune, store: fleetStore, format: output)
            return
        }
        ReportPrinter.print(try await fleetStore.apply(manifests, sources: sources, prune: prune, dryRun: false), format: output)
        await PruneGuardNotice.print(for: fleetStore)
    }

    /// The store to apply to. A dry run against an SQLite store that does not exist yet compares with an
    /// empty throwaway store (returned with its folder, to remove), so that it leaves no file behind.
    private func openStore() async throws -> (any FleetStore, URL?) {
        guard dryRun, case .sqlite(let path) = try store.address, !FileManager.default.fileExists(atPath: path) else {
            return (try await store.open(), nil)
        }
        let scratch = try PrivateTemporaryFolder.make("dry-run")
        var options = try StoreOptions.at(scratch.appendingPathComponent("fleet.db").path, logging: store.logging)
        options.fleet = store.fleet
        return (try await options.open(create: true), scratch)
    }
}

/// Prints apply, delete and scale reports.
enum ReportPrinter {
    static func print(_ report: ApplyReport, format: OutputFormat) {
        let out = CommandOutput.current
        switch format {
        case .json, .yaml:
            out.line(format.render(report))
        case .text:
            for item in report.items {
                out.line("\(item.kind.rawValue.lowercased())/\(item.name) \(item.action.rawValue)\(report.dryRun ? " (dry run)" : "")")
            }
            if report.items.isEmpty { out.line("nothing to do") }
        }
    }
}
