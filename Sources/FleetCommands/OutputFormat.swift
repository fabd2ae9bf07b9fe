import ArgumentParser

/// The output formats of commands that print results: text for people, json or yaml for scripts (the
/// same fields either way).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json
    case yaml
}
