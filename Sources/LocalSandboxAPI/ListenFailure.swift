import Foundation
import NIOCore

/// A server could not listen on its address: said in plain words, naming the address and the option
/// that sets it, instead of the socket call's errno text.
public struct ListenFailure: Error, CustomStringConvertible {
    /// `HOST:PORT` as given.
    public var address: String
    /// The option that sets it, e.g. `--listen`.
    public var option: String
    /// Why, in words.
    public var reason: String

    public var description: String { "cannot listen on \(address): \(reason); choose another \(option)" }

    /// `error` as a ``ListenFailure`` when it is a failure to bind `address`, else `error` unchanged.
    public static func explain(_ error: any Error, address: String, option: String) -> any Error {
        guard let io = error as? IOError else { return error }
        switch io.errnoCode {
        case EADDRINUSE: return ListenFailure(address: address, option: option, reason: "the address is already in use (another process listens there)")
        case EADDRNOTAVAIL: return ListenFailure(address: address, option: option, reason: "no interface of this machine has that address")
        case EACCES: return ListenFailure(address: address, option: option, reason: "permission denied (ports below 1024 need privileges)")
        default: return error
        }
    }
}
