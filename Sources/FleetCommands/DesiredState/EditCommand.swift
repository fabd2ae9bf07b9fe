import ArgumentParser
import FleetModel
import FleetStore
import Foundation

/// `porter-fleet edit KIND NAME`: edit one resource's manifest in $EDITOR, then apply it.
struct EditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Edit a resource's manifest in $EDITOR and apply it.",
        discussion: "Invalid input is shown with its location and changes nothing; the edited file is kept for another try."
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: "The kind: sandbox, set or volume.")
    var kind: String

    @Argument(help: "The resource's name.")
    var name: String

    func validate() throws {
        guard ResourceKind(word: kind) != nil else { throw ValidationError("unknown kind '\(kind)': use sandbox, set or volume") }
    }

    func run() async throws {
        guard let resourceKind = ResourceKind(word: kind) else { throw ValidationError("unknown kind '\(kind)': use sandbox, set or volume") }
        let fleetStore = try await store.open(create: false)
        guard let resource = try await fleetStore.resources(kind: resourceKind).first(where: { $0.name == name }) else {
            throw CommandFailure("\(resourceKind.rawValue) '\(name)' not found in the desired state")
        }
        // A folder of our own (mkdtemp: 0700, a fresh name), not a fixed name in the shared temporary directory:
        // the resource may hold environment values, and another user could have made that name first.
        let file = try PrivateTemporaryFolder.make("edit").appendingPathComponent("\(resourceKind.commandWord)-\(name).yaml")
        let original = try ManifestExport.yaml([resource])
        try original.write(to: file, atomically: true, encoding: .utf8)
        let editor = ProcessInfo.processInfo.environment["VISUAL"] ?? ProcessInfo.processInfo.environment["EDITOR"] ?? "vi"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(editor) \"$1\"", "editor", file.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure("the editor '\(editor)' exited with status \(process.terminationStatus); nothing changed")
        }
        let edited = try String(contentsOf: file, encoding: .utf8)
        if edited == original {
            CommandOutput.current.line("\(resourceKind.rawValue.lowercased())/\(name) unchanged (edit cancelled)")
            try? FileManager.default.removeItem(at: file.deletingLastPathComponent())
            return
        }
        let manifests: [Manifest]
        do {
            manifests = try ManifestParser.parse(edited, file: file.path)
        } catch {
            throw CommandFailure(error.errors.map(\.description) + ["nothing changed; your edit is kept in \(file.path)"])
        }
        guard manifests.count == 1, manifests[0].kind == resourceKind, manifests[0].name == name else {
            throw CommandFailure([
                "\(file.path): an edit must keep exactly one \(resourceKind.rawValue) named '\(name)'; nothing changed; your edit is kept there"
            ])
        }
        let report: ApplyReport
        do {
            report = try await fleetStore.apply([(manifests[0], resource.source)], sources: [], prune: false, dryRun: false)
        } catch let error as FleetStoreError {
            throw CommandFailure(error.lines + ["nothing changed; your edit is kept in \(file.path)"])
        }
        try? FileManager.default.removeItem(at: file.deletingLastPathComponent())
        ReportPrinter.print(report, format: .text)
    }
}
