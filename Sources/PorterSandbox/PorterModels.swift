/// Readable names for the wire types generated from `docs/openapi.yaml` (`Components.Schemas`).

/// The body of a sandbox create: image, command, env, mounts, networking, egress, resources, TTL, ...
public typealias SandboxSpec = Components.Schemas.SandboxSpec
/// A port to expose from a sandbox.
public typealias SandboxNetworkingSpec = Components.Schemas.SandboxNetworkingSpec
/// A hostname to serve a sandbox's port on.
public typealias SandboxDomainSpec = Components.Schemas.SandboxDomainSpec
/// A sandbox's outbound allow-list.
public typealias SandboxEgressSpec = Components.Schemas.SandboxEgressSpec
/// A sandbox's CPU and memory as Kubernetes quantities.
public typealias SandboxResourcesSpec = Components.Schemas.SandboxResourcesSpec
/// The status of one sandbox as the API reports it.
public typealias SandboxStatus = Components.Schemas.StatusResponse
/// A sandbox's lifecycle phase.
public typealias SandboxPhase = Components.Schemas.StatusResponsePhase
/// A phase used as a list or counts filter.
public typealias SandboxPhaseFilter = Components.Schemas.SandboxesPhase
/// Why a sandbox ended.
public typealias TerminationReason = Components.Schemas.StatusResponseTerminationReason
/// Who asked for a termination, recorded as its reason.
public typealias TerminationSource = Components.Schemas.SandboxesSource
/// Page information of a sandbox list.
public typealias Pagination = Components.Schemas.Pagination
/// Cluster-wide distinct tags, images and phases, for building filters.
public typealias FilterValues = Components.Schemas.FilterValuesResponse
/// Sandbox creation counts in fixed-width time buckets.
public typealias SandboxCounts = Components.Schemas.CountResponse
/// One log line of a sandbox.
public typealias LogLine = Components.Schemas.LogLine
/// The outcome of an exec: stdout, stderr, exit code.
public typealias ExecResult = Components.Schemas.ExecResponse
/// CPU and memory percentiles of a sandbox.
public typealias MetricSummary = Components.Schemas.MetricSummaryResponse
/// One metric of a sandbox as a time series.
public typealias SandboxMetrics = Components.Schemas.SandboxMetricsResponse
/// Which metric to fetch as a time series.
public typealias SandboxMetric = Components.Schemas.SandboxMetric
/// A volume as the API records it (the Python SDK's `VolumeRecord`).
public typealias VolumeRecord = Components.Schemas.Volume
/// `disk` or `object`.
public typealias VolumeType = Components.Schemas.VolumeType
/// A volume's provisioning phase.
public typealias VolumePhase = Components.Schemas.VolumePhase
/// The bucket an object volume exposes.
public typealias VolumeObjectSpec = Components.Schemas.VolumeObjectSpec
/// One entry of a volume file listing, with nested entries for directories.
public typealias VolumeFileEntry = Components.Schemas.VolumeFileEntry
/// A volume file listing.
public typealias VolumeFileListing = Components.Schemas.VolumeFileListResponse
/// A filesystem (or full) capture of a sandbox.
public typealias Snapshot = Components.Schemas.Snapshot
/// What a snapshot captures.
public typealias SnapshotMode = Components.Schemas.SnapshotMode
/// The API's health answer.
public typealias HealthStatus = Components.Schemas.HealthResponse
/// The API's readiness answer.
public typealias ReadinessStatus = Components.Schemas.ReadinessResponse

extension Components.Schemas.StatusResponsePhase {
    /// Whether the sandbox can never run again: `succeeded`, `failed` or `terminated`.
    public var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .terminated: true
        case .queued, .creating, .running: false
        }
    }
}

extension Components.Schemas.StringMap {
    /// A string map from a dictionary, or nil for nil.
    init?(_ dictionary: [String: String]?) {
        guard let dictionary else { return nil }
        self.init(additionalProperties: dictionary)
    }
}
