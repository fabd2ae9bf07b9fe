import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where commands write: the process's stdout and stderr, or buffers when a test runs a command.
public final class CommandOutput: Sendable {
    private let standardOutput: @Sendable (String) -> Void
    private let standardError: @Sendable (String) -> Void
    /// Whether stdout is a terminal (colour and progress only then).
    public let isTerminal: Bool

    /// Output to the process's stdout and stderr. When the reader has gone away (`porter-fleet status |
    /// head -1`), the command ends quietly with the conventional exit status 141 (128 + SIGPIPE).
    public static let standard = CommandOutput(
        out: { writeOrEnd(STDOUT_FILENO, $0) },
        err: { writeOrEnd(STDERR_FILENO, $0) },
        isTerminal: isatty(STDOUT_FILENO) == 1
    )

    private static func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(descriptor, buffer, count)
        #else
        Darwin.write(descriptor, buffer, count)
        #endif
    }

    /// Writes all of `text` to `descriptor`; ends the process quietly when the pipe is closed.
    private static func writeOrEnd(_ descriptor: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                bytes = bytes.dropFirst(written)
            } else if written < 0, errno == EINTR || errno == EAGAIN {
                continue
            } else {
                if errno == EPIPE { exit(ExitStatus.closedPipe) }
                return
            }
        }
    }

    /// The output commands in this task write to.
    @TaskLocal public static var current: CommandOutput = .standard

    /// Output to two writers.
    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void, isTerminal: Bool = false) {
        self.standardOutput = out
        self.standardError = err
        self.isTerminal = isTerminal
    }

    /// Writes a line (or several) to stdout, control characters escaped (``TerminalText``).
    public func line(_ text: String) { standardOutput(TerminalText.escaped(text) + "\n") }

    /// Writes text to stdout, control characters escaped (``TerminalText``).
    public func write(_ text: String) { standardOutput(TerminalText.escaped(text)) }

    /// Writes one error line per line of `text` to stderr, control characters escaped (``TerminalText``).
    public func error(_ text: String) { standardError(TerminalText.escaped(text) + "\n") }

    /// Writes `text` to stdout exactly as it is: a remote command's own output, manifests that must
    /// round-trip, or text whose values were escaped already and that carries porter-fleet's own colour
    /// or screen codes.
    public func raw(_ text: String) { standardOutput(text) }

    /// Writes a line to stderr exactly as it is (its values escaped already, with colour codes).
    public func rawError(_ text: String) { standardError(text + "\n") }
}

/// Output gathered in memory, for tests and for commands run from code.
public final class CapturedOutput: Sendable {
    private let buffers = Mutex<(out: String, err: String)>(("", ""))

    /// Creates empty buffers.
    public init() {}

    /// Everything written to stdout.
    public var standardOutput: String { buffers.withLock { $0.out } }
    /// Everything written to stderr.
    public var standardError: String { buffers.withLock { $0.err } }

    /// A ``CommandOutput`` writing here.
    public var output: CommandOutput {
        CommandOutput(
            out: { text in self.buffers.withLock { $0.out += text } },
            err: { text in self.buffers.withLock { $0.err += text } })
    }
}

/// The error lines a command ends with, as JSON log lines when the command line asks for `--log-format json`.
enum ErrorLines {
    /// Whether `arguments` ask for JSON logs.
    static func jsonRequested(_ arguments: [String]) -> Bool {
        arguments.contains("--log-format=json") || zip(arguments, arguments.dropFirst()).contains { $0 == "--log-format" && $1 == "json" }
    }

    /// `output` with each error line written as `{"label","level":"error","message","time"}`.
    static func json(_ output: CommandOutput) -> CommandOutput {
        output.withErrors { line in
            let message = line.hasSuffix("\n") ? String(line.dropLast()) : line
            let object = ["time": Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)), "level": "error", "label": "porter-fleet", "message": message]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self) + "\n"
        }
    }
}

extension CommandOutput {
    /// This output with every stderr write passed through `transform` first.
    func withErrors(_ transform: @escaping @Sendable (String) -> String) -> CommandOutput {
        let error = standardError
        return CommandOutput(out: standardOutput, err: { error(transform($0)) }, isTerminal: isTerminal)
    }
}
