import Foundation
import Logging

/// How to run the local Sandbox API.
public struct LocalAPIConfiguration: Sendable {
    /// The address to bind: 127.0.0.1 unless told otherwise.
    public var host: String = "127.0.0.1"
    /// The port to bind; 0 picks a free one.
    public var port: Int = 8080
    /// Where the SQLite file, sandbox directories and volume data live.
    public var dataDirectory: String
    /// How sandboxes run.
    public var runtime: LocalRuntimeKind = .process
    /// When set, every request must carry `Authorization: Bearer <token>`.
    public var token: String?
    /// Faults to inject (none by default).
    public var faults: FaultSpec = .none
    /// The seed of the fault injector's random numbers.
    public var seed: UInt64 = 1
    /// At most this many API requests a second per API token (burst as many); beyond, 429 with
    /// `Retry-After`. Nil: no limit.
    public var rateLimit: Double?
    /// Settings of the simulated runtime.
    public var simulated = SimulatedRuntimeConfiguration()
    /// Time between SIGTERM and SIGKILL when a process sandbox is stopped.
    public var terminationGracePeriod: Duration = .seconds(5)
    /// Whether to isolate process sandboxes with bubblewrap when it is installed.
    public var useBubblewrap = true
    /// Who process sandboxes run as on the host when the server runs as root (`nobody` by default).
    public var sandboxUser: SandboxUser = .nobody
    /// The most processes (and threads) one process sandbox may have at once, where a pids cgroup can
    /// be made (the server runs as root).
    public var sandboxProcessLimit = 1024
    /// The largest file one write accepts (1 GiB, like Porter).
    public var maxUploadBytes: Int64 = 1 << 30
    /// The entry budget of one file listing.
    public var fileListBudget = 1000
    /// The entries one `?search=` may look at (its matches are still cut at ``fileListBudget``).
    public var fileSearchBudget = 10_000
    /// The longest one listing or search may walk; what is not read by then is marked `truncated`.
    public var fileWalkTimeLimit: Duration = .seconds(2)
    /// Limits on connections and request heads.
    public var httpLimits = HTTPLimits()
    /// How often timers (phases, TTLs) are checked.
    public var tickInterval: Duration = .milliseconds(10)
    /// Where the server logs.
    public var logger = Logger(label: "porter-fleet.local-api")

    /// A configuration with everything defaulted but the data directory.
    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }
}
