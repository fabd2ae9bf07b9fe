import ArgumentParser
import FleetModel
import FleetStore
import Foundation
import WireFormats

/// `porter-fleet events`: what the reconciler did and saw, repeats folded.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Show the fleet's events (created, replaced, drift, backoff, conflicts, API errors)."
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "Only events from this long ago, e.g. 1h or 30m.")
    var since: String?

    @Flag(help: "Keep printing new events until interrupted.")
    var follow = false

    @Option(name: .customLong("for"), help: ArgumentHelp("Only events about this object, e.g. Sandbox/api, SandboxSet/agent (every member) or Volume/data.", valueName: "kind/name"))
    var object: String?

    @Option(help: ArgumentHelp("Only events of this type: Normal or Warning.", valueName: "type"), transform: Self.eventType)
    var type: EventType?

    @Option(
        name: [.short, .customLong("output")],
        help: "Output format: text, json (one JSON object per line with --follow), yaml (one document per event with --follow) or name (the object of each event).")
    var output: ReadOutputFormat = .text

    func validate() throws {
        if let since { _ = try Self.window(since) }
        if let object, !object.contains("/") { throw ValidationError("--for takes KIND/NAME (e.g. Sandbox/api), not '\(object)'") }
    }

    private static func eventType(_ text: String) throws -> EventType {
        guard let type = EventType.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            throw ValidationError("must be Normal or Warning, not '\(text)'")
        }
        return type
    }

    /// The look-back window of `--since`: anything up to the longest duration (about 292 years).
    private static func window(_ text: String) throws -> Duration {
        try DurationFlag.parse(text, flag: "--since", example: "1h or 2d", maximum: GoDuration.maximum)
    }

    func run() async throws {
        let fleetStore = try await store.open(create: false)
        let start = try since.map { Date().addingTimeInterval(-Double(try Self.window($0).components.seconds)) }
        let out = CommandOutput.current
        let objects = try EventObjects(resources: try await fleetStore.resources())
        var events = try await fleetStore.events(since: start)
        let shown = events.filter { wanted($0, objects) }
        if let structured = output.structured, !follow {
            out.line(structured.render(shown.map { EventItem($0, object: objects.object(of: $0)) }))
        } else {
            if output == .text && !shown.isEmpty { out.line(Self.header) }
            for event in shown { print(event, objects: objects, out: out) }
        }
        guard follow else { return }
        var seen = Dictionary(events.map { ($0.id ?? 0, $0.count) }, uniquingKeysWith: { a, _ in a })
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(1))
            events = try await fleetStore.events(since: events.last?.lastAt ?? start)
            for event in events where seen[event.id ?? 0] != event.count {
                seen[event.id ?? 0] = event.count
                if wanted(event, objects) { print(event, objects: objects, out: out) }
            }
        }
    }

    /// Whether `--for` and `--type` keep `event`.
    private func wanted(_ event: FleetEvent, _ objects: EventObjects) -> Bool {
        if let type, type != event.type { return false }
        if let object, !objects.event(event, isAbout: object) { return false }
        return true
    }

    static let header = "LAST SEEN              TYPE      REASON              OBJECT                 COUNT   MESSAGE"

    private func print(_ event: FleetEvent, objects: EventObjects, out: CommandOutput) {
        switch output {
        case .json: out.line(JSONOutput.string(EventItem(event, object: objects.object(of: event)), pretty: false))
        case .yaml: out.line("---\n" + OutputFormat.yaml.render(EventItem(event, object: objects.object(of: event))))
        case .name: out.line(EventObjects.nameForm(objects.object(of: event)))
        case .text:
            let time = ISO8601DateFormatter().string(from: event.lastAt)
            out.line(
                Self.column(time, 22) + Self.column(event.type.rawValue, 9) + Self.column(event.reason.rawValue, 19)
                    + Self.column(objects.object(of: event), 22) + Self.column(String(event.count), 7) + TerminalText.escaped(event.message, singleLine: true))
        }
    }

    /// `text` padded to `width` and a space; never cut (a longer one just pushes the line right).
    private static func column(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(1, width + 1 - text.count))
    }
}

/// One event in JSON outputs.
struct EventItem: Encodable {
    var kind: String
    var name: String
    /// The object as `events` prints it (`SandboxSet/agent[2]` for a set's member).
    var object: String
    var type: String
    var reason: String
    var message: String
    var count: Int
    var firstAt: Date
    var lastAt: Date

    init(_ event: FleetEvent, object: String) {
        kind = event.kind.rawValue
        name = event.name
        self.object = object
        type = event.type.rawValue
        reason = event.reason.rawValue
        message = event.message
        count = event.count
        firstAt = event.firstAt
        lastAt = event.lastAt
    }
}
