import ArgumentParser
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

    @Option(name: [.short, .customLong("output")], help: "Output format: text or json (one JSON object per line with --follow).")
    var output: OutputFormat = .text

    func validate() throws {
        if let since { _ = try Self.window(since) }
    }

    /// The look-back window of `--since`: anything up to the longest duration (about 292 years).
    private static func window(_ text: String) throws -> Duration {
        try DurationFlag.parse(text, flag: "--since", example: "1h or 2d", maximum: GoDuration.maximum)
    }

    func run() async throws {
        let fleetStore = try await store.open(create: false)
        let start = try since.map { Date().addingTimeInterval(-Double(try Self.window($0).components.seconds)) }
        let out = CommandOutput.current
        var events = try await fleetStore.events(since: start)
        if output == .json && !follow {
            out.line(JSONOutput.string(events.map(EventItem.init)))
        } else {
            if output == .text && !events.isEmpty { out.line(Self.header) }
            for event in events { print(event, out: out) }
        }
        guard follow else { return }
        var seen = Dictionary(events.map { ($0.id ?? 0, $0.count) }, uniquingKeysWith: { a, _ in a })
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(1))
            events = try await fleetStore.events(since: events.last?.lastAt ?? start)
            for event in events where seen[event.id ?? 0] != event.count {
                seen[event.id ?? 0] = event.count
                print(event, out: out)
            }
        }
    }

    static let header = "LAST SEEN              TYPE      REASON              OBJECT                 COUNT   MESSAGE"

    private func print(_ event: FleetEvent, out: CommandOutput) {
        switch output {
        case .json: out.line(JSONOutput.string(EventItem(event), pretty: false))
        case .text:
            let time = ISO8601DateFormatter().string(from: event.lastAt)
            let object = "\(event.kind)/\(event.name)"
            out.line(
                [time.padding(toLength: 22, withPad: " ", startingAt: 0), event.type.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0),
                 event.reason.rawValue.padding(toLength: 19, withPad: " ", startingAt: 0), object.padding(toLength: 22, withPad: " ", startingAt: 0),
                 String(event.count).padding(toLength: 7, withPad: " ", startingAt: 0), event.message].joined(separator: " "))
        }
    }
}

/// One event in JSON outputs.
struct EventItem: Encodable {
    var kind: String
    var name: String
    var type: String
    var reason: String
    var message: String
    var count: Int
    var firstAt: Date
    var lastAt: Date

    init(_ event: FleetEvent) {
        kind = event.kind.rawValue
        name = event.name
        type = event.type.rawValue
        reason = event.reason.rawValue
        message = event.message
        count = event.count
        firstAt = event.firstAt
        lastAt = event.lastAt
    }
}
