import WireFormats

/// What a string value must be: its length in characters (Unicode scalars, as JSON Schema counts them)
/// and the rule its text follows.
public struct StringConstraints: Sendable {
    /// The fewest characters; 1 means "not empty".
    public var minimumLength: Int
    /// The most characters, if limited.
    public var maximumLength: Int?
    /// Says the limit in words for messages ("a Sandbox name has at most 55 characters, …"); nil for
    /// "at most N characters".
    public var lengthNote: String?
    /// The rule the text follows; by default, no NUL byte (which the Sandbox API refuses in any text it
    /// passes to a process).
    public var rule: TextRule

    /// Creates the constraints.
    public init(minimumLength: Int = 0, maximumLength: Int? = nil, lengthNote: String? = nil, rule: TextRule = SandboxSpecRules.processText) {
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
        self.lengthNote = lengthNote
        self.rule = rule
    }

    /// Why `text` breaks the constraints, as the end of a message that starts with the field's path, or
    /// nil when it keeps them. One problem is given: the length first, then the rule.
    public func problem(with text: String) -> String? {
        let length = text.unicodeScalars.count
        if length < minimumLength { return minimumLength == 1 ? "must not be empty" : "must have at least \(minimumLength) characters" }
        if let maximumLength, length > maximumLength {
            let shown = length <= 64 ? "\(TextRule.quoted(text)) " : ""
            return "\(shown)is \(length) characters; \(lengthNote ?? "at most \(maximumLength) are allowed")"
        }
        return rule.problem(with: text)
    }

    /// The constraints in words, for `explain`.
    var descriptions: [String] {
        var lines: [String] = []
        if minimumLength == 1 { lines.append("not empty") } else if minimumLength > 1 { lines.append("at least \(minimumLength) characters") }
        if let maximumLength { lines.append(lengthNote ?? "at most \(maximumLength) characters") }
        lines.append("must be \(rule.requirement)")
        return lines
    }
}
