import Foundation

/// The entry point of a fuzz target. Built with `-sanitize=fuzzer -DFUZZING` (`scripts/fuzz`), it hands
/// control to libFuzzer's driver, which mutates inputs and calls the target with each; built normally, it
/// replays the files named on the command line (the committed corpus), so the targets always compile.
public enum FuzzMain {
    /// The target being fuzzed: libFuzzer's callback is a C function and cannot capture it.
    nonisolated(unsafe) static var target: (Data) -> Void = { _ in }

    /// Runs `target` under libFuzzer, or over the files named in the arguments; exits with the result.
    public static func run(_ target: @escaping (Data) -> Void) -> Never {
        Self.target = target
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
        #else
        do {
            for path in CommandLine.arguments.dropFirst() {
                target(try Data(contentsOf: URL(fileURLWithPath: path)))
            }
            print("replayed \(CommandLine.arguments.count - 1) inputs")
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(1)
        }
        #endif
    }
}

#if FUZZING
/// The function libFuzzer calls with each input (its runtime requires the symbol).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzMain.target(data.map { Data(bytes: $0, count: size) } ?? Data())
    return 0
}

/// libFuzzer's driver (`FuzzerDriver.cpp`), for programs with their own `main`.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif
