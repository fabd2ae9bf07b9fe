/// A Kubernetes label selector over tags: comma-separated requirements that must all hold.
///
///     team=ml            team==ml         equal
///     team!=ml                            not equal (or no such tag)
///     tier in (web,api)  tier notin (db)  one of / none of (notin also matches a missing tag)
///     canary             !canary          the tag exists / does not exist
public struct LabelSelector: Sendable, Equatable {
    /// One requirement on one tag.
    public enum Requirement: Sendable, Equatable {
        case equals(key: String, value: String)
        case notEquals(key: String, value: String)
        case isIn(key: String, values: Set<String>)
        case notIn(key: String, values: Set<String>)
        case exists(key: String)
        case doesNotExist(key: String)

        /// Whether `tags` satisfy it.
        public func matches(_ tags: [String: String]) -> Bool {
            switch self {
            case .equals(let key, let value): tags[key] == value
            case .notEquals(let key, let value): tags[key] != value
            case .isIn(let key, let values): tags[key].map(values.contains) ?? false
            case .notIn(let key, let values): !(tags[key].map(values.contains) ?? false)
            case .exists(let key): tags[key] != nil
            case .doesNotExist(let key): tags[key] == nil
            }
        }
    }

    /// The requirements, all of which must hold.
    public var requirements: [Requirement]

    /// Parses `text`; the error names the character where it went wrong.
    public init(parsing text: String) throws(LabelSelectorError) {
        var parser = LabelSelectorParser(text)
        requirements = try parser.parse()
    }

    /// Whether every requirement holds for `tags`.
    public func matches(_ tags: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(tags) }
    }
}

/// A selector that could not be read: where, and what was expected there.
public struct LabelSelectorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The selector as given.
    public var selector: String
    /// 1-based character position.
    public var position: Int
    /// What was expected.
    public var expected: String

    /// An error at `position` of `selector`.
    public init(selector: String, position: Int, expected: String) {
        self.selector = selector
        self.position = position
        self.expected = expected
    }

    public var description: String { "selector '\(selector)': at character \(position): expected \(expected)" }
}

/// A hand-written recursive-descent reader of the selector grammar (it is small and the errors must
/// point at a character).
struct LabelSelectorParser {
    private let text: String
    private let characters: [Character]
    private var index = 0

    init(_ text: String) {
        self.text = text
        characters = Array(text)
    }

    mutating func parse() throws(LabelSelectorError) -> [LabelSelector.Requirement] {
        var requirements: [LabelSelector.Requirement] = []
        repeat {
            requirements.append(try requirement())
            skipSpaces()
        } while consume(",")
        guard index == characters.count else { throw failure("',' or the end") }
        return requirements
    }

    private mutating func requirement() throws(LabelSelectorError) -> LabelSelector.Requirement {
        skipSpaces()
        if consume("!") { return .doesNotExist(key: try key()) }
        let key = try key()
        skipSpaces()
        if consume("!=") { return .notEquals(key: key, value: try value()) }
        if consume("==") || consume("=") { return .equals(key: key, value: try value()) }
        if consumeWord("notin") { return .notIn(key: key, values: try valueSet()) }
        if consumeWord("in") { return .isIn(key: key, values: try valueSet()) }
        if index == characters.count || characters[index] == "," { return .exists(key: key) }
        throw failure("'=', '==', '!=', 'in', 'notin', ',' or the end")
    }

    private mutating func key() throws(LabelSelectorError) -> String {
        skipSpaces()
        let word = take { $0.isLetter || $0.isNumber || "-_./".contains($0) }
        guard !word.isEmpty else { throw failure("a tag key") }
        return word
    }

    private mutating func value() throws(LabelSelectorError) -> String {
        skipSpaces()
        return take { $0.isLetter || $0.isNumber || "-_.".contains($0) }
    }

    private mutating func valueSet() throws(LabelSelectorError) -> Set<String> {
        skipSpaces()
        guard consume("(") else { throw failure("'('") }
        var values: Set<String> = []
        repeat {
            values.insert(try value())
            skipSpaces()
        } while consume(",")
        guard consume(")") else { throw failure("',' or ')'") }
        return values
    }

    private mutating func take(while accepts: (Character) -> Bool) -> String {
        let start = index
        while index < characters.count, accepts(characters[index]) { index += 1 }
        return String(characters[start..<index])
    }

    private mutating func skipSpaces() {
        while index < characters.count, characters[index] == " " { index += 1 }
    }

    private mutating func consume(_ literal: String) -> Bool {
        let end = index + literal.count
        guard end <= characters.count, String(characters[index..<end]) == literal else { return false }
        index = end
        return true
    }

    /// A keyword, followed by a space or '(' (so a key named `index` is not read as `in`).
    private mutating func consumeWord(_ word: String) -> Bool {
        let end = index + word.count
        guard end <= characters.count, String(characters[index..<end]) == word else { return false }
        guard end == characters.count || characters[end] == " " || characters[end] == "(" else { return false }
        index = end
        return true
    }

    private func failure(_ expected: String, at position: Int? = nil) -> LabelSelectorError {
        LabelSelectorError(selector: text, position: (position ?? index) + 1, expected: expected)
    }
}
