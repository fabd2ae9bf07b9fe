import Yams

/// The type of a YAML scalar under the YAML 1.2 core schema: quoted scalars are strings; plain ones
/// are null, booleans, integers or floats when they look like one, else strings. An explicit core tag
/// (`!!str 5`, `!!float 1`) gives the type when the text fits it; `!` is a string.
enum ScalarKind: Equatable {
    case null
    case boolean
    case integer
    case float
    case string
    /// An explicit tag that is not one of the core schema's, or that does not fit its text (`!!int x`).
    case unsupportedTag

    static let nullWords: Set<String> = ["", "~", "null", "Null", "NULL"]
    static let trueWords: Set<String> = ["true", "True", "TRUE"]
    static let booleanWords: Set<String> = trueWords.union(["false", "False", "FALSE"])
    static let floatWords: Set<String> = [".inf", ".Inf", ".INF", "+.inf", "-.inf", "+.Inf", "-.Inf", "+.INF", "-.INF", ".nan", ".NaN", ".NAN"]

    init(_ scalar: Node.Scalar) {
        let text = scalar.string
        switch scalar.tag.description {
        case "":
            guard scalar.style == .plain || scalar.style == .any else {
                self = .string
                return
            }
            self = Self.plain(text)
        case "!", "tag:yaml.org,2002:str": self = .string
        case "tag:yaml.org,2002:int": self = Self.looksInteger(text) ? .integer : .unsupportedTag
        case "tag:yaml.org,2002:float": self = Self.looksFloat(text) || Self.floatWords.contains(text) ? .float : .unsupportedTag
        case "tag:yaml.org,2002:bool": self = Self.booleanWords.contains(text) ? .boolean : .unsupportedTag
        case "tag:yaml.org,2002:null": self = Self.nullWords.contains(text) ? .null : .unsupportedTag
        default: self = .unsupportedTag
        }
    }

    /// The type of a plain, untagged scalar.
    static func plain(_ text: String) -> ScalarKind {
        if nullWords.contains(text) { return .null }
        if booleanWords.contains(text) { return .boolean }
        if floatWords.contains(text) { return .float }
        if looksInteger(text) { return .integer }
        if looksFloat(text) { return .float }
        return .string
    }

    /// `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+`.
    static func looksInteger(_ text: String) -> Bool {
        if text.hasPrefix("0x") { return text.count > 2 && text.utf8.dropFirst(2).allSatisfy { isHex($0) } }
        if text.hasPrefix("0o") { return text.count > 2 && text.utf8.dropFirst(2).allSatisfy { (48...55).contains($0) } }
        var bytes = Array(text.utf8)[...]
        if let first = bytes.first, first == 43 || first == 45 { bytes = bytes.dropFirst() }
        return !bytes.isEmpty && bytes.allSatisfy { (48...57).contains($0) }
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    static func looksFloat(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if let first = bytes.first, first == 43 || first == 45 { bytes = bytes.dropFirst() }
        var digits = 0
        while let byte = bytes.first, (48...57).contains(byte) {
            digits += 1
            bytes = bytes.dropFirst()
        }
        if bytes.first == 46 {
            bytes = bytes.dropFirst()
            while let byte = bytes.first, (48...57).contains(byte) {
                digits += 1
                bytes = bytes.dropFirst()
            }
        }
        guard digits > 0 else { return false }
        if let byte = bytes.first, byte == 101 || byte == 69 {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == 43 || sign == 45 { bytes = bytes.dropFirst() }
            guard !bytes.isEmpty, bytes.allSatisfy({ (48...57).contains($0) }) else { return false }
            return true
        }
        return bytes.isEmpty
    }

    /// The value of an integer's text, nil when it does not fit in `Int`.
    static func integerValue(_ text: String) -> Int? {
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        if text.hasPrefix("0o") { return Int(text.dropFirst(2), radix: 8) }
        return Int(text.hasPrefix("+") ? String(text.dropFirst()) : text)
    }

    /// What a number means as an integer: its value; `fraction` when it has a fractional part (or is
    /// infinite or not a number); `tooLarge` when it is whole but does not fit in `Int`.
    enum IntegerReading: Equatable {
        case value(Int)
        case fraction
        case tooLarge
    }

    /// `text` of a scalar of kind `kind` read as an integer, as JSON Schema counts integers (`3.0` is 3);
    /// nil when the kind is not a number.
    static func integerReading(_ text: String, kind: ScalarKind) -> IntegerReading? {
        switch kind {
        case .integer: return integerValue(text).map(IntegerReading.value) ?? .tooLarge
        case .float:
            guard !floatWords.contains(text), let double = Double(text), double.isFinite, double.rounded(.towardZero) == double else { return .fraction }
            guard double >= -9.2e18, double <= 9.2e18 else { return .tooLarge }
            return .value(Int(double))
        default: return nil
        }
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte)
    }
}
