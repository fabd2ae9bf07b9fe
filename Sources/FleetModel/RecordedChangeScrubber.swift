/// Rewrites text recorded before environment values were hidden (event messages such as
/// `generation 1: ~ spec.env.DB_PASSWORD: "old" → "new", ~ spec.image: "a" → "b"`) to what is recorded
/// now (`generation 1: ~ spec.env.DB_PASSWORD: (changed), ~ spec.image: "a" → "b"`). The stores' migrations
/// run it over their events; text without a secret field change comes back unchanged.
public enum RecordedChangeScrubber {
    /// `text` with the values of every secret field change (see ``SecretFields``) replaced by the
    /// redacted form of ``FieldChange/description``.
    public static func scrub(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        var changed = false
        while index < bytes.count {
            if startsChange(bytes, at: index), let (replacement, end) = secretChange(bytes, at: index) {
                output += replacement.utf8
                index = end
                changed = true
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return changed ? String(decoding: output, as: UTF8.self) : text
    }

    /// Whether a change description may start at `index`: at the start, or after `, ` or `: `.
    private static func startsChange(_ bytes: [UInt8], at index: Int) -> Bool {
        guard index + 1 < bytes.count, [UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "~")].contains(bytes[index]),
            bytes[index + 1] == UInt8(ascii: " ")
        else { return false }
        return index == 0 || (index >= 2 && bytes[index - 1] == UInt8(ascii: " ") && [UInt8(ascii: ","), UInt8(ascii: ":")].contains(bytes[index - 2]))
    }

    /// The redacted description of the secret change at `index` and the index after it; nil when the
    /// text there is not a whole change of a secret field.
    private static func secretChange(_ bytes: [UInt8], at index: Int) -> (String, Int)? {
        var cursor = index + 2
        let pathStart = cursor
        while cursor < bytes.count, isPathByte(bytes[cursor]) { cursor += 1 }
        let path = String(decoding: bytes[pathStart..<cursor], as: UTF8.self)
        guard SecretFields.isSecret(path), bytes[cursor...].starts(with: Array(": ".utf8)) else { return nil }
        guard let first = skipValue(bytes, from: cursor + 2) else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "+"): return (FieldChange(secretAt: path, .added).description, first)
        case UInt8(ascii: "-"): return (FieldChange(secretAt: path, .removed).description, first)
        default:
            let arrow = Array(" → ".utf8)
            guard bytes[first...].starts(with: arrow), let second = skipValue(bytes, from: first + arrow.count) else { return nil }
            return (FieldChange(secretAt: path, .changed).description, second)
        }
    }

    private static func isPathByte(_ byte: UInt8) -> Bool {
        (65...90).contains(byte) || (97...122).contains(byte) || (48...57).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }

    /// The index after the compact JSON value that starts at `start`, or nil when there is none.
    private static func skipValue(_ bytes: [UInt8], from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return skipString(bytes, from: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var cursor = start
            while cursor < bytes.count {
                switch bytes[cursor] {
                case UInt8(ascii: "\""):
                    guard let end = skipString(bytes, from: cursor) else { return nil }
                    cursor = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return cursor + 1 }
                default: break
                }
                cursor += 1
            }
            return nil
        default:
            var cursor = start
            while cursor < bytes.count, isScalarByte(bytes[cursor]) { cursor += 1 }
            return cursor > start ? cursor : nil
        }
    }

    /// The index after the JSON string that starts (with its quote) at `start`.
    private static func skipString(_ bytes: [UInt8], from start: Int) -> Int? {
        var cursor = start + 1
        while cursor < bytes.count {
            switch bytes[cursor] {
            case UInt8(ascii: "\\"): cursor += 2
            case UInt8(ascii: "\""): return cursor + 1
            default: cursor += 1
            }
        }
        return nil
    }

    private static func isScalarByte(_ byte: UInt8) -> Bool {
        (65...90).contains(byte) || (97...122).contains(byte) || (48...57).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: ".")
    }
}
