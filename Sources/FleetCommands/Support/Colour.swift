import FleetModel
import Foundation

/// Colour for people at a terminal: never when stdout is not a terminal, when `NO_COLOR` is set (to
/// anything), or when `TERM` is `dumb`.
enum Colour: String {
    case green = "32"
    case yellow = "33"
    case red = "31"
    case dim = "2"

    /// Whether to colour output going to `output` in `environment`.
    static func enabled(for output: CommandOutput, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        output.isTerminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    /// `text` in this colour when colour is enabled for the current output.
    func paint(_ text: String, enabled: Bool = Colour.enabled(for: .current)) -> String {
        enabled ? "\u{1B}[\(rawValue)m\(text)\u{1B}[0m" : text
    }

    /// The colour of a health word.
    static func forHealth(_ health: HealthStatus) -> Colour? {
        switch health {
        case .healthy, .completed: .green
        case .progressing, .missing: .yellow
        case .degraded, .backoff: .red
        }
    }
}
