import Foundation
import FuzzSupport
import WireFormats

/// libFuzzer target for the parsers that read untrusted text: Go durations (API `since`, every CLI
/// duration flag) and HTTP `Range` headers. Besides not trapping, it checks what the parsers promise:
/// a duration is within 0…`GoDuration.maximum`, a range lies inside the content.
enum WireFormatsFuzz {
    static func run(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 8 else { return }
        let size = Int64(bitPattern: bytes.loadUnaligned(as: UInt64.self)) & Int64.max
        let text = String(decoding: bytes[8...], as: UTF8.self)
        for allowingDays in [false, true] {
            if let duration = try? GoDuration.parse(text, allowingDays: allowingDays) {
                precondition(duration >= .zero && duration <= GoDuration.maximum, "duration out of range for '\(text)'")
            }
        }
        if size > 0, let range = try? RangeRequest.parse(text, size: size) {
            precondition(range.first >= 0 && range.first <= range.last && range.last < size, "range outside the content for '\(text)'")
            precondition(range.count > 0)
        }
    }
}

@main
struct WireFormatsFuzzMain {
    static func main() {
        FuzzMain.run { data in data.withUnsafeBytes(WireFormatsFuzz.run) }
    }
}
