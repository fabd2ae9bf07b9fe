import FleetModel
import FleetStore
import Foundation

/// The table `get` prints.
enum GetTable {
    static func render(_ resources: [DesiredResource], observed: [ObservedStatus], wide: Bool) throws -> String {
        guard !resources.isEmpty else { return "No resources in the desired state.\n" }
        var header = ["KIND", "NAME", "SPEC", "SYNC", "HEALTH", "PHASE", "AGE"]
        if wide { header += ["GENERATION", "REVISION", "SPEC-HASH", "SOURCE"] }
        var rows: [[String]] = [header]
        for (resource, status) in zip(resources, observed) {
            var row = [
                resource.kind.rawValue, resource.name, try summary(resource), status.sync ?? "-", status.health ?? "-", status.phase ?? "-",
                age(resource.createdAt),
            ]
            if wide { row += [status.generation.map(String.init) ?? "-", String(resource.revision), resource.specHash, resource.source] }
            rows.append(row)
        }
        return TextTable.render(rows)
    }

    /// A short description of the spec: image and command, replicas, or deletion policy.
    static func summary(_ resource: DesiredResource) throws -> String {
        switch try resource.manifest().spec {
        case .sandbox(let template): return template.image ?? "snapshot \(template.snapshotID ?? "")"
        case .sandboxSet(let set): return "\(set.replicas) × \(set.template.image ?? "snapshot")"
        case .volume(let volume): return "deletion_policy=\((volume.deletionPolicy ?? .retain).rawValue)"
        }
    }

    static func age(_ date: Date, now: Date = Date()) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        if seconds < 120 { return "\(seconds)s" }
        if seconds < 7200 { return "\(seconds / 60)m" }
        if seconds < 172_800 { return "\(seconds / 3600)h" }
        return "\(seconds / 86_400)d"
    }
}

/// Left-aligned columns separated by three spaces.
enum TextTable {
    /// The rows aligned, each cell on one line with its control characters escaped (``TerminalText``).
    static func render(_ rows: [[String]]) -> String {
        let rows = rows.map { $0.map { TerminalText.escaped($0, singleLine: true) } }
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "   ")
        }.joined(separator: "\n") + "\n"
    }
}
