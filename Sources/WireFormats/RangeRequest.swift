/// The inclusive byte range of a single-range HTTP `Range` header (`bytes=0-99`, `bytes=100-`,
/// `bytes=-100`), clamped to the size of what is read.
public struct RangeRequest: Equatable, Sendable {
    /// Offset of the first byte.
    public var first: Int64
    /// Offset of the last byte (inclusive), below the size.
    public var last: Int64

    /// A range from `first` to `last`, both included.
    public init(first: Int64, last: Int64) {
        self.first = first
        self.last = last
    }

    /// Bytes in the range.
    public var count: Int64 { last - first + 1 }

    /// Why a `Range` header cannot be served.
    public enum ParseError: Error, Equatable, Sendable {
        /// Not `bytes=FIRST-LAST`, `bytes=FIRST-` or `bytes=-SUFFIX`.
        case malformed
        /// A zero-length suffix (`bytes=-0`).
        case empty
        /// The first byte is at or past the end of the content.
        case startsPastEnd
    }

    /// The range a header asks for within `size` bytes (`size` > 0), or nil when the whole content
    /// should be sent instead (multiple ranges, or a unit other than bytes).
    public static func parse(_ header: String, size: Int64) throws(ParseError) -> RangeRequest? {
        let text = header.trimmingASCIISpaces()
        guard text.hasPrefix("bytes="), !text.contains(",") else { return nil }
        let parts = text.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, size > 0 else { throw .malformed }
        switch (parts[0].isEmpty, parts[1].isEmpty) {
        case (true, false):
            guard let length = Int64(parts[1]), length >= 0 else { throw .malformed }
            guard length > 0 else { throw .empty }
            return RangeRequest(first: length >= size ? 0 : size - length, last: size - 1)
        case (false, _):
            guard let first = Int64(parts[0]), first >= 0 else { throw .malformed }
            guard first < size else { throw .startsPastEnd }
            if parts[1].isEmpty { return RangeRequest(first: first, last: size - 1) }
            guard let last = Int64(parts[1]), last >= first else { throw .malformed }
            return RangeRequest(first: first, last: min(last, size - 1))
        case (true, true):
            throw .malformed
        }
    }
}

extension String {
    fileprivate func trimmingASCIISpaces() -> Substring {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return text
    }
}
