/// Runs calls of the generated client and reports their failures as ``PorterError``.
package enum PorterCall {
    /// Runs `body`, turning any error into a ``PorterError``.
    package static func perform<T>(_ body: () async throws -> T) async throws(PorterError) -> T {
        do {
            return try await body()
        } catch {
            throw PorterError.from(error)
        }
    }

    /// Runs `body` with a caller-chosen timeout for the calls it makes (nil keeps the defaults).
    package static func perform<T: Sendable>(timeout: Duration?, _ body: @Sendable () async throws -> T) async throws(PorterError) -> T {
        guard let timeout else { return try await perform(body) }
        return try await perform { try await PorterRequestOptions.$timeout.withValue(timeout) { try await body() } }
    }
}
