/// A rule a piece of text must follow, stated once in two forms side by side: a regular expression in
/// JSON Schema's dialect (ECMA-262), for the published schema and editors, and a Swift check, which is what
/// validation runs (hand-written, so hostile input costs no backtracking). Tests hold the two to the same
/// verdict on every string of a generated corpus.
///
/// Patterns are anchored with `^` and end with `$(?!\n)`: in ECMA-262 `$` is the end of the text, but
/// in Python's `re` (and ICU) it also matches before a final line feed, which `(?!\n)` rules out, so
/// the pattern means the same in every engine that reads the schema.
public struct TextRule: Sendable {
    /// The regular expression, in JSON Schema's dialect.
    public let pattern: String
    /// What a text following the rule is, in words (after "must be"): for messages and `explain`.
    public let requirement: String
    private let check: @Sendable (String) -> String?

    /// A rule whose only message is "'TEXT' must be `requirement`".
    public init(pattern: String, requirement: String, matches: @escaping @Sendable (String) -> Bool) {
        self.pattern = pattern
        self.requirement = requirement
        self.check = { text in matches(text) ? nil : "\(TextRule.quoted(text)) must be \(requirement)" }
    }

    /// A rule that explains each refusal itself: `problem` returns nil for a text that follows it.
    public init(pattern: String, requirement: String, problem: @escaping @Sendable (String) -> String?) {
        self.pattern = pattern
        self.requirement = requirement
        self.check = problem
    }

    /// Whether `text` follows the rule.
    public func matches(_ text: String) -> Bool { check(text) == nil }

    /// Why `text` does not follow the rule (starting with the text, quoted), or nil when it does.
    public func problem(with text: String) -> String? { check(text) }

    /// `text` in single quotes, cut to its first 64 characters.
    public static func quoted(_ text: String) -> String {
        text.count > 64 ? "'\(text.prefix(64))…'" : "'\(text)'"
    }
}
