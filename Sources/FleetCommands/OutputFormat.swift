import ArgumentParser

/// The output formats of commands that print results: text for people, json or yaml for scripts (the
/// same fields either way).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json
    case yaml
}

/// The output formats of the read commands that list fleet objects (`status`, `events`, `plan`): those of
/// ``OutputFormat``, and `name`: one `kind/name` a line (`sandbox/api`, `sandboxset/workers[2]`,
/// `volume/data`), as `kubectl -o name` prints, for piping into other commands.
enum ReadOutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json
    case yaml
    case name

    /// The structured format this is, if it is one.
    var structured: OutputFormat? {
        switch self {
        case .json: .json
        case .yaml: .yaml
        case .text, .name: nil
        }
    }
}
