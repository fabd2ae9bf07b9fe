import ArgumentParser

/// The options kubectl, git and terraform users put before the verb (`porter-fleet --db team.db get`):
/// moved to just after the command they name (`get --db team.db`), where each command declares them. A
/// command that does not take one still refuses it, by name.
enum GlobalOptions {
    /// Options that take a value and may come before the verb.
    static let withValue: Set<String> = ["--db", "--fleet", "--api-url", "--output", "-o", "--log-level", "--log-format"]

    /// `arguments` with the leading global options moved after the command path (the verb, and its
    /// sub-verb such as `local serve` or `scale set`).
    static func reorder(_ arguments: [String], root: any ParsableCommand.Type) -> [String] {
        let (leading, index) = leadingOptions(arguments)
        guard !leading.isEmpty, index < arguments.count else { return arguments }
        var rest = Array(arguments[index...])
        let pathLength = commandPathLength(rest, root: root)
        guard pathLength > 0 else { return arguments }
        rest.insert(contentsOf: leading, at: pathLength)
        return rest
    }

    /// The first word after any leading global options, when it names no command (`frobnicate`, or the
    /// word after ArgumentParser's own `help` verb: `help frobnicate`).
    static func unknownVerb(_ arguments: [String], root: any ParsableCommand.Type) -> String? {
        var (_, index) = leadingOptions(arguments)
        if index < arguments.count, arguments[index] == "help" { index += 1 }
        guard index < arguments.count, !arguments[index].hasPrefix("-") else { return nil }
        return commandPathLength([arguments[index]], root: root) == 0 ? arguments[index] : nil
    }

    /// A global option put before a verb that does not take it (`--db x.db explain Sandbox`), with that
    /// verb: refused by name, never handed to the verb, which would take its value for an argument.
    static func undeclaredOption(_ arguments: [String], root: any ParsableCommand.Type) -> (verb: String, option: String)? {
        let (leading, index) = leadingOptions(arguments)
        guard !leading.isEmpty, index < arguments.count else { return nil }
        let rest = Array(arguments[index...])
        let pathLength = commandPathLength(rest, root: root)
        guard pathLength > 0 else { return nil }
        var command = root
        for word in rest.prefix(pathLength) {
            guard let next = command.configuration.subcommands.first(where: { $0.configuration.commandName == word }) else { return nil }
            command = next
        }
        let help = command.helpMessage(columns: 400)
        for option in leading where option.hasPrefix("-") {
            let name = String(option.split(separator: "=", maxSplits: 1).first ?? "")
            guard !help.contains(" \(name) "), !help.contains(" \(name),"), !help.contains(" \(name)\n") else { continue }
            return (rest.prefix(pathLength).joined(separator: " "), name)
        }
        return nil
    }

    /// The global options before the verb, and where the verb starts.
    private static func leadingOptions(_ arguments: [String]) -> (options: [String], end: Int) {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
            guard withValue.contains(name) else { break }
            if argument.contains("=") || index + 1 >= arguments.count {
                leading.append(argument)
                index += 1
            } else {
                leading += [argument, arguments[index + 1]]
                index += 2
            }
        }
        return (leading, index)
    }

    /// How many of the leading words name a command and its sub-commands.
    private static func commandPathLength(_ words: [String], root: any ParsableCommand.Type) -> Int {
        var command = root
        var length = 0
        while length < words.count,
            let next = command.configuration.subcommands.first(where: { $0.configuration.commandName == words[length] })
        {
            command = next
            length += 1
        }
        return length
    }
}
