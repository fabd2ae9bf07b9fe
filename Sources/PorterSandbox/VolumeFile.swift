import Foundation

/// One file or directory found in a volume, with its full path rebuilt from the listing.
public struct VolumeFile: Sendable, Equatable {
    /// The bare name within its directory.
    public var name: String
    /// The full `/`-rooted path, joined from the directory that was listed.
    public var path: String
    /// `file` or `directory`.
    public var type: Components.Schemas.VolumeFileEntryType
    /// Size in bytes; 0 for directories.
    public var sizeBytes: Int64
    /// Last modification time, when the storage tracks it.
    public var modifiedAt: Date?
    /// A directory whose contents were not fully read.
    public var truncated: Bool

    /// Whether this is a directory.
    public var isDirectory: Bool { type == .directory }
    /// Whether this is a file.
    public var isFile: Bool { type == .file }

    /// The file for `entry`, listed inside the directory at `parent`.
    public init(parent: String, entry: VolumeFileEntry) {
        self.name = entry.name
        self.path = parent == "/" ? "/" + entry.name : parent + "/" + entry.name
        self.type = entry._type
        self.sizeBytes = entry.sizeBytes
        self.modifiedAt = entry.modifiedAt
        self.truncated = entry.truncated ?? false
    }
}

/// A single byte range of a file read, as sent in the `Range` header.
public enum ByteRange: Sendable, Equatable {
    /// `bytes=start-end`, both inclusive.
    case closed(start: Int64, end: Int64)
    /// `bytes=start-`: from `start` to the end of the file.
    case from(Int64)
    /// `bytes=-length`: the last `length` bytes.
    case suffix(Int64)

    /// The `Range` header value.
    public var headerValue: String {
        switch self {
        case .closed(let start, let end): "bytes=\(start)-\(end)"
        case .from(let start): "bytes=\(start)-"
        case .suffix(let length): "bytes=-\(length)"
        }
    }
}

/// The `Content-Range` of a partial read: `bytes <start>-<end>/<size>`.
public struct ContentRange: Sendable, Equatable {
    /// First byte sent.
    public var start: Int64
    /// Last byte sent, inclusive.
    public var end: Int64
    /// Size of the whole file.
    public var size: Int64

    /// Creates a range.
    public init(start: Int64, end: Int64, size: Int64) {
        self.start = start
        self.end = end
        self.size = size
    }

    /// Parses exactly `^bytes (\d+)-(\d+)/(\d+)$`, as the official SDK does.
    public init?(headerValue: String) {
        guard headerValue.hasPrefix("bytes ") else { return nil }
        let rest = headerValue.dropFirst(6)
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let bounds = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        func digits(_ text: Substring) -> Int64? {
            guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int64(text)
        }
        guard bounds.count == 2, let start = digits(bounds[0]), let end = digits(bounds[1]), let size = digits(parts[1])
        else { return nil }
        self.init(start: start, end: end, size: size)
    }

    /// The header value.
    public var headerValue: String { "bytes \(start)-\(end)/\(size)" }
}

/// The bytes of a file read, with the range they cover when the read was partial.
public struct VolumeFileContent: Sendable, Equatable {
    /// The bytes.
    public var data: Data
    /// The range sent, for a 206 answer; nil for a whole file.
    public var contentRange: ContentRange?
    /// The file's `Last-Modified` time, when sent.
    public var lastModified: Date?

    /// Creates a content value.
    public init(data: Data, contentRange: ContentRange?, lastModified: Date?) {
        self.data = data
        self.contentRange = contentRange
        self.lastModified = lastModified
    }
}

/// Parses and formats HTTP-dates (`Sun, 06 Nov 1994 08:49:37 GMT`).
public enum HTTPDate {
    /// The date of an IMF-fixdate, or nil.
    public static func parse(_ text: String) -> Date? {
        formatter().date(from: text)
    }

    /// The IMF-fixdate of a date.
    public static func format(_ date: Date) -> String {
        formatter().string(from: date)
    }

    private static func formatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }
}

/// A file read chunk by chunk with ranged requests, as the official SDKs' `stream`.
public struct VolumeFileStream: AsyncSequence, Sendable {
    /// Each element is one chunk of bytes.
    public typealias Element = Data
    /// Errors are ``PorterError``s.
    public typealias Failure = any Error

    let chunkSize: Int64
    let read: @Sendable (ByteRange) async throws -> VolumeFileContent

    /// Iterates chunk by chunk.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let chunkSize: Int64
        let read: @Sendable (ByteRange) async throws -> VolumeFileContent
        var offset: Int64 = 0
        var finished = false

        /// The next chunk, or nil at the end of the file.
        public mutating func next() async throws -> Data? {
            guard !finished else { return nil }
            let content = try await read(.closed(start: offset, end: offset + chunkSize - 1))
            if let range = content.contentRange {
                offset = range.end + 1
                finished = offset >= range.size
            } else {
                finished = true
            }
            if content.data.isEmpty && finished { return nil }
            return content.data
        }
    }

    /// Starts at offset 0.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunkSize: chunkSize, read: read) }
}
