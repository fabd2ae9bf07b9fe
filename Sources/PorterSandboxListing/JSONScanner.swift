/// A forward-only reader of JSON text in a byte buffer, for the few answers read often enough that the
/// generic `Codable` path is too slow (sandbox listings: 10,000 statuses a pass). It reads strictly (RFC
/// 8259 grammar, valid UTF-8) and reports anything unexpected by returning nil, so its callers can fall
/// back to the generated decoder, which then says exactly what is wrong.
struct JSONScanner: ~Copyable {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    /// A scanner over `bytes`, which must outlive it.
    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Whether only whitespace is left.
    mutating func atEnd() -> Bool {
        skipWhitespace()
        return index == bytes.count
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func consume(literal: StaticString) -> Bool {
        skipWhitespace()
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = literal.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        if matches { index += count }
        return matches
    }

    /// Consumes `null` when it comes next.
    mutating func consumeNull() -> Bool { consume(literal: "null") }

    /// Reads an object, calling `member` with each key; `member` must read or skip the value. False when
    /// the text is not an object or `member` returned false.
    mutating func readObject(_ member: (inout JSONScanner, String) -> Bool) -> Bool {
        guard consume(0x7B) else { return false }
        if consume(0x7D) { return true }
        repeat {
            guard let key = readString(), consume(0x3A), member(&self, key) else { return false }
        } while consume(0x2C)
        return consume(0x7D)
    }

    /// Reads an object whose keys are told apart by their bytes, without making strings of them: `key`
    /// maps a scanned key to what `member` is called with. For objects read many times over, where keys
    /// are known words.
    mutating func readObject<Key>(keys key: (ScannedString) -> Key, _ member: (inout JSONScanner, Key) -> Bool) -> Bool {
        guard consume(0x7B) else { return false }
        if consume(0x7D) { return true }
        repeat {
            guard let raw = scanString(), consume(0x3A), member(&self, key(raw)) else { return false }
        } while consume(0x2C)
        return consume(0x7D)
    }

    /// A string as scanned: its bytes between the quotes when it has no escapes, else decoded.
    enum ScannedString {
        /// Valid UTF-8 without escapes, in the scanned buffer.
        case plain(UnsafeBufferPointer<UInt8>)
        /// A string written with escapes, decoded.
        case escaped(String)
    }

    /// Scans a string: nil when the next value is not a valid JSON string (bad escapes, control
    /// characters, invalid UTF-8, no closing quote).
    mutating func scanString() -> ScannedString? {
        guard consume(0x22) else { return nil }
        let start = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x22 {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
                guard ascii || String(validating: raw, as: UTF8.self) != nil else { return nil }
                index += 1
                return .plain(raw)
            }
            if byte == 0x5C { return readEscapedString(from: start).map(ScannedString.escaped) }
            if byte < 0x20 { return nil }
            ascii = ascii && byte < 0x80
            index += 1
        }
        return nil
    }

    /// Reads a plain string (no escapes) and hands its bytes to `parse`; nil when the next value is not
    /// such a string or `parse` returns nil. For values such as timestamps, read without making a string.
    mutating func readPlainString<T>(_ parse: (UnsafeBufferPointer<UInt8>) -> T?) -> T? {
        guard case .plain(let bytes)? = scanString() else { return nil }
        return parse(bytes)
    }

    /// Whether `bytes` are exactly `word`.
    static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        return word.withUTF8Buffer { expected in (0..<bytes.count).allSatisfy { bytes[$0] == expected[$0] } }
    }

    /// Whether `bytes` are exactly the UTF-8 of `word`.
    static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ word: String) -> Bool {
        var word = word
        return word.withUTF8 { expected in expected.count == bytes.count && expected.elementsEqual(bytes) }
    }

    /// Reads an array, calling `element` for each element, which must read or skip it.
    mutating func readArray(_ element: (inout JSONScanner) -> Bool) -> Bool {
        guard consume(0x5B) else { return false }
        if consume(0x5D) { return true }
        repeat {
            guard element(&self) else { return false }
        } while consume(0x2C)
        return consume(0x5D)
    }

    /// Reads an object whose values are all strings, and whose keys are all different (which value a
    /// repeated key has is up to each reader; this one leaves it to its caller's fallback).
    mutating func readStringMap() -> [String: String]? {
        var map: [String: String] = [:]
        let read = readObject { scanner, key in
            guard let value = scanner.readString(), map.updateValue(value, forKey: key) == nil else { return false }
            return true
        }
        return read ? map : nil
    }

    /// Reads a string: nil when the next value is not a valid JSON string.
    mutating func readString() -> String? {
        switch scanString() {
        // Already checked to be valid UTF-8: decoding it repairs nothing.
        case .plain(let bytes): String(decoding: bytes, as: UTF8.self)
        case .escaped(let string): string
        case nil: nil
        }
    }

    /// The rest of a string that has escapes, from its first byte at `start`.
    private mutating func readEscapedString(from start: Int) -> String? {
        var decoded = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case 0x22: return String(validating: decoded, as: UTF8.self)
            case 0x5C:
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case 0x22, 0x5C, 0x2F: decoded.append(escape)
                case 0x62: decoded.append(0x08)
                case 0x66: decoded.append(0x0C)
                case 0x6E: decoded.append(0x0A)
                case 0x72: decoded.append(0x0D)
                case 0x74: decoded.append(0x09)
                case 0x75:
                    guard let scalar = readUnicodeEscape() else { return nil }
                    decoded.append(contentsOf: String(Character(scalar)).utf8)
                default: return nil
                }
            case ..<0x20: return nil
            default: decoded.append(byte)
            }
        }
        return nil
    }

    /// `XXXX` after `\u`, with a following `\uXXXX` low surrogate when the first is a high one.
    private mutating func readUnicodeEscape() -> Unicode.Scalar? {
        guard let first = readHex4() else { return nil }
        if (0xD800...0xDBFF).contains(first) {
            guard consumeRaw(0x5C), consumeRaw(0x75), let second = readHex4(), (0xDC00...0xDFFF).contains(second) else { return nil }
            return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
        }
        return Unicode.Scalar(first)
    }

    private mutating func consumeRaw(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func readHex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Reads an integer without fraction or exponent that fits in 64 bits.
    mutating func readInt64() -> Int64? {
        skipWhitespace()
        let negative = consumeRaw(0x2D)
        let start = index
        var value: Int64 = 0
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(bytes[index] - 0x30))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
            index += 1
        }
        let digits = index - start
        guard digits > 0, !(digits > 1 && bytes[start] == 0x30) else { return nil }
        if index < bytes.count, bytes[index] == 0x2E || bytes[index] == 0x65 || bytes[index] == 0x45 { return nil }
        return negative ? -value : value
    }

    /// Reads `true` or `false`.
    mutating func readBool() -> Bool? {
        if consume(literal: "true") { return true }
        if consume(literal: "false") { return false }
        return nil
    }

    /// Skips any value (objects and arrays whole). False when it is not valid JSON.
    mutating func skipValue() -> Bool {
        skipWhitespace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case 0x22: return scanString() != nil
        case 0x7B: return readObject { scanner, _ in scanner.skipValue() }
        case 0x5B: return readArray { $0.skipValue() }
        case 0x74, 0x66: return readBool() != nil
        case 0x6E: return consumeNull()
        default: return skipNumber()
        }
    }

    /// A number by the JSON grammar: `-? int frac? exp?`.
    private mutating func skipNumber() -> Bool {
        _ = consumeRaw(0x2D)
        guard skipDigits() > 0 else { return false }
        if consumeRaw(0x2E), skipDigits() == 0 { return false }
        if index < bytes.count, bytes[index] == 0x65 || bytes[index] == 0x45 {
            index += 1
            if !consumeRaw(0x2B) { _ = consumeRaw(0x2D) }
            guard skipDigits() > 0 else { return false }
        }
        return true
    }

    private mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
        return index - start
    }
}
