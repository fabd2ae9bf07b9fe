import FleetStore
import Foundation
import PostgresNIO

extension PostgresFleetStore {
    /// Desired-state changes through `LISTEN` on a connection of its own (every write of the desired
    /// state sends `NOTIFY` with the new revision, delivered at commit). A lost connection is opened
    /// again with backoff (250 ms doubling to 10 s); ``StoreNotification/interrupted`` and then
    /// ``StoreNotification/listening`` tell the consumer to check the revision itself meanwhile.
    public func desiredStateChanges() -> AsyncStream<StoreNotification>? {
        let (stream, continuation) = AsyncStream.makeStream(of: StoreNotification.self, bufferingPolicy: .bufferingNewest(64))
        let configuration = Self.configuration(url)
        let logger = logger
        let task = Task {
            var pause = Duration.milliseconds(250)
            while !Task.isCancelled {
                do {
                    let connection = try await PostgresConnection.connect(configuration: configuration, id: 2, logger: logger)
                    do {
                        try await connection.listen(on: PostgresSchema.changeChannel) { notifications in
                            continuation.yield(.listening)
                            for try await notification in notifications {
                                continuation.yield(.changed(revision: Int64(notification.payload) ?? 0))
                            }
                        }
                    } catch {
                        logger.debug("listening for desired-state changes stopped", metadata: ["error": "\(Self.describe(error))"])
                    }
                    try? await connection.close()
                    pause = .milliseconds(250)
                } catch {
                    logger.debug("cannot listen for desired-state changes", metadata: ["error": "\(Self.describe(error))"])
                }
                guard !Task.isCancelled else { break }
                continuation.yield(.interrupted)
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(10))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
