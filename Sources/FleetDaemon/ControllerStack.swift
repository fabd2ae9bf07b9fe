import FleetReconciler
import FleetStore
import Foundation
import Logging
import PorterSandbox

/// A controller and the client it acts through, built as one: the client's every attempt goes through
/// the same flow control the controller plans with, and is counted in the metrics when there are some.
/// Every place that acts on a fleet (the daemon, the dashboard's plan, `reconcile`, `plan`, `gc`) builds
/// its controller here, so none can forget the pairing.
public struct ControllerStack: Sendable {
    /// The controller.
    public let controller: FleetController
    /// The client, to close when done (and for logs).
    public let porter: Porter
    /// The flow control shared by both.
    public let flow: FlowControl

    /// Builds the stack for `store` acting on `endpoint`.
    public init(store: any FleetStore, endpoint: PorterEndpoint, options: ControllerOptions, metrics: FleetMetrics?, logger: Logger) {
        let traffic = APITraffic(flow: FlowControl(options: options.flow), metrics: metrics, logger: logger)
        var options = options
        options.logger = logger
        porter = traffic.porter(endpoint: endpoint)
        flow = traffic.flow
        controller = FleetController(store: store, backend: PorterSandboxBackend(porter: porter), options: options, flow: traffic.flow)
    }

    /// Runs `body` with a stack, closing the client after it, whatever happens.
    public static func with<T>(
        store: any FleetStore, endpoint: PorterEndpoint, options: ControllerOptions, metrics: FleetMetrics? = nil, logger: Logger,
        _ body: (ControllerStack) async throws -> T
    ) async throws -> T {
        let stack = ControllerStack(store: store, endpoint: endpoint, options: options, metrics: metrics, logger: logger)
        do {
            let value = try await body(stack)
            try? await stack.porter.shutdown()
            return value
        } catch {
            try? await stack.porter.shutdown()
            throw error
        }
    }
}
