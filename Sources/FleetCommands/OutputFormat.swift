import ArgumentParser

/// The output formats of commands that print results: text for people, json for scripts.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json
}
