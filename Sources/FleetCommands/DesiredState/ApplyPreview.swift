import ArgumentParser
import FleetModel
import FleetStore
import Foundation

/// What applying manifests would change, field by field: the store's report of a dry run (the same
/// rules as a real apply) with, under each configured resource, the lines of its spec and tags that change.
struct ApplyPreview {
    let report: ApplyReport
    /// Field changes by `Kind/name`, for configured resources.
    let fieldChanges: [String: [String]]

    /// Whether applying would change anything.
    var changesSomething: Bool { report.items.contains { $0.action != .unchanged } }

    /// The preview of applying `manifests` to `store`.
    static func make(
        _ manifests: [(manifest: Manifest, source: String)], sources: [String], prune: Bool, store: any FleetStore
    ) async throws -> ApplyPreview {
        let report = try await store.apply(manifests, sources: sources, prune: prune, dryRun: true)
        let existing = Dictionary(try await store.resources().map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var changes: [String: [String]] = [:]
        for (manifest, source) in manifests {
            guard let old = existing[manifest.reference] else { continue }
            let new = try DesiredResource(manifest, source: source, revision: 0, createdAt: Date(), updatedAt: Date())
            let lines = FieldDiff.lines(from: old.spec, to: new.spec, prefix: "spec") + FieldDiff.lines(from: old.tags, to: new.tags, prefix: "tags")
            if !lines.isEmpty { changes[manifest.reference] = lines }
        }
        return ApplyPreview(report: report, fieldChanges: changes)
    }

    /// Prints the preview of applying `manifests`; exit 2 when it would change anything.
    static func show(
        _ manifests: [(manifest: Manifest, source: String)], sources: [String], prune: Bool, store: any FleetStore, format: OutputFormat
    ) async throws {
        let preview: ApplyPreview
        preview = try await make(manifests, sources: sources, prune: prune, store: store)
        preview.print(format: format)
        if preview.changesSomething { throw ExitCode(ExitStatus.changesPending) }
    }

    /// The report, with the field changes under each configured resource in text.
    func print(format: OutputFormat) {
        let out = CommandOutput.current
        guard format == .text else {
            out.line(format.render(ApplyPreviewOutput(self)))
            return
        }
        for item in report.items {
            out.line("\(item.kind.rawValue.lowercased())/\(item.name) \(item.action.rawValue) (dry run)")
            for line in fieldChanges["\(item.kind.rawValue)/\(item.name)"] ?? [] { out.line("    \(line)") }
        }
        if report.items.isEmpty { out.line("nothing to do") }
    }
}

/// `apply --dry-run -o json` and `diff -o json`: the report's items, each with its field changes.
struct ApplyPreviewOutput: Encodable {
    struct Item: Encodable {
        var kind: String
        var name: String
        var action: String
        var changes: [String]
    }

    var dryRun = true
    var revision: Int64
    var items: [Item]

    init(_ preview: ApplyPreview) {
        revision = preview.report.revision
        items = preview.report.items.map { item in
            Item(
                kind: item.kind.rawValue, name: item.name, action: item.action.rawValue,
                changes: preview.fieldChanges["\(item.kind.rawValue)/\(item.name)"] ?? [])
        }
    }
}
