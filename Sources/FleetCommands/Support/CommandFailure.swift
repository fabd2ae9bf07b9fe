/// A command failed for a reason already explained: its lines go to stderr and the exit code is 1.
public struct CommandFailure: Error, Sendable, CustomStringConvertible {
    /// The lines to print, one error per line.
    public var lines: [String]

    /// A failure with one or more lines.
    public init(_ lines: [String]) { self.lines = lines }

    /// A failure with one message.
    public init(_ message: String) { self.lines = [message] }

    /// The lines joined.
    public var description: String { lines.joined(separator: "\n") }
}
