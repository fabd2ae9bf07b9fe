import HTTPTypes

/// An error the local Sandbox API answers with: a status and a human-readable message, sent as
/// `{"error": "…"}` with `Content-Type: application/json`.
struct LocalAPIError: Error, Sendable, CustomStringConvertible {
    var status: HTTPResponse.Status
    var message: String

    static func badRequest(_ message: String) -> LocalAPIError { .init(status: .badRequest, message: message) }
    static func notFound(_ message: String) -> LocalAPIError { .init(status: .notFound, message: message) }
    static func conflict(_ message: String) -> LocalAPIError { .init(status: .conflict, message: message) }
    static func unauthorized(_ message: String) -> LocalAPIError { .init(status: .unauthorized, message: message) }
    static func tooLarge(_ message: String) -> LocalAPIError { .init(status: .contentTooLarge, message: message) }
    static func rangeNotSatisfiable(_ message: String) -> LocalAPIError { .init(status: .rangeNotSatisfiable, message: message) }
    static func notImplemented(_ message: String) -> LocalAPIError { .init(status: .notImplemented, message: message) }

    var description: String { "\(status.code): \(message)" }
}
