import Foundation
import Hummingbird
import ServiceLifecycle

/// The local Sandbox API running in this process, for `up`, tests and benchmarks.
public final class RunningLocalAPI: Sendable {
    /// The bound port.
    public let port: Int
    /// The bound host.
    public let host: String
    private let task: Task<Void, any Error>
    private let group: ServiceGroup

    /// `http://host:port`.
    public var baseURL: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    private init(host: String, port: Int, task: Task<Void, any Error>, group: ServiceGroup) {
        self.host = host
        self.port = port
        self.task = task
        self.group = group
    }

    /// Builds and starts the server, returning once it accepts connections.
    public static func start(configuration: LocalAPIConfiguration) async throws -> RunningLocalAPI {
        let ports = AsyncStream<Int>.makeStream()
        let app = try await buildLocalAPI(configuration: configuration) { port in
            ports.continuation.yield(port)
            ports.continuation.finish()
        }
        let group = ServiceGroup(services: [app], logger: configuration.logger)
        let task = Task {
            // A server that ends before it listens (its port taken) ends the wait for the port too.
            defer { ports.continuation.finish() }
            try await group.run()
        }
        var iterator = ports.stream.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await task.value
            throw CancellationError()
        }
        return RunningLocalAPI(host: configuration.host, port: port, task: task, group: group)
    }

    /// Stops the server gracefully (workloads stopped and recorded) and waits for it.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
