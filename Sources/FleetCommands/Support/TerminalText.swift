/// Text from manifests, the store and the Sandbox API made safe to print: every control character a
/// terminal would act on (C0, including ESC, except line feed and tab; DEL; C1) is written as a JSON-style
/// escape, `\u001b`, so a value can neither clear the screen, set the window title nor move the cursor.
/// JSON output stays valid JSON with the same meaning (raw DEL and C1 appear only inside its strings).
///
/// ``CommandOutput`` applies it to everything commands print; tables apply it to each cell first, so
/// that columns line up, and there line feed and tab are escaped too.
enum TerminalText {
    /// `text` with control characters escaped; line feeds and tabs kept unless `singleLine`.
    static func escaped(_ text: String, singleLine: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, singleLine: singleLine) }) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            if needsEscape(scalar, singleLine: singleLine) {
                result += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func needsEscape(_ scalar: Unicode.Scalar, singleLine: Bool) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: singleLine
        case 0x00..<0x20, 0x7F..<0xA0: true
        default: false
        }
    }
}
