import Foundation
import Testing
@testable import PorterSandbox

/// Every endpoint of the reference, reached through the ergonomic SDK against a real HTTP server that
/// answers with only the required fields of each schema, so decoding with optional fields absent is
/// checked for every response type.
@Suite("Every endpoint through the SDK, minimal answers")
struct EndpointCoverageTests {
    /// Minimal answers by "METHOD path".
    static let answers: [String: ScriptedReply] = [
        "GET /healthz": .json(200, #"{"status":"ok"}"#),
        "GET /readyz": .json(200, #"{"status":"ready","active_sandboxes":3}"#),
        "GET /v1/sandbox": .json(200, #"{"sandboxes":[\#(minimalStatusJSON)],"pagination":{"current_page":1,"total_pages":1,"has_next_page":false}}"#),
        "GET /v1/sandbox/counts": .json(200, #"{"points":[{"timestamp":"2026-08-01T12:00:00Z","count":4}],"granularity_ms":60000}"#),
        "POST /v1/sandbox/run": .json(202, #"{"id":"sb-1","name":"sb-1"}"#),
        "GET /v1/sandbox/lookup": .json(200, #"{"id":"sb-1"}"#),
        "GET /v1/sandbox/sb-1": .json(200, minimalStatusJSON),
        "DELETE /v1/sandbox/sb-1": .json(200, #"{"ignored":true}"#),
        "GET /v1/sandbox/sb-1/logs": .json(200, #"{"sandbox_id":"sb-1","logs":[{"timestamp":"2026-08-01T12:00:00.5Z","line":"hi","level":"info","exec_id":""}]}"#),
        "POST /v1/sandbox/sb-1/exec": .json(200, #"{"stdout":"x","stderr":"","exit_code":0}"#),
        "GET /v1/sandbox/sb-1/metrics-summary": .json(200, #"{"window_seconds":3600,"has_data":false,"cpu_cores_p50":0,"cpu_cores_p90":0,"cpu_limit_cores":0,"cpu_util_p50_pct":0,"cpu_util_p90_pct":0,"mem_bytes_p50":0,"mem_bytes_p90":0,"mem_limit_bytes":0,"mem_util_p50_pct":0,"mem_util_p90_pct":0}"#),
        "GET /v1/sandbox/sb-1/metrics": .json(200, #"{"results":[{"series":[{"time_series":[{"timestamp_utc":"2026-08-01T12:00:00Z","value":0.5}]}]}]}"#),
        "POST /v1/sandbox/sb-1/snapshot": .json(201, #"{"id":"snap-1","sandbox_id":"sb-1","mode":"filesystem","status":"pending"}"#),
        "GET /v1/snapshot": .json(200, #"{"snapshots":[{"id":"snap-1","sandbox_id":"sb-1","mode":"full","status":"ready"}]}"#),
        "GET /v1/snapshot/snap-1": .json(200, #"{"id":"snap-1","sandbox_id":"sb-1","mode":"filesystem","status":"failed","failure_reason":"disk"}"#),
        "DELETE /v1/snapshot/snap-1": .empty(204),
        "GET /v1/volume": .json(200, #"{"volumes":[\#(minimalVolumeJSON)]}"#),
        "POST /v1/volume": .json(201, minimalVolumeJSON),
        "GET /v1/volume/lookup": .json(200, #"{"id":"vol-1"}"#),
        "GET /v1/volume/vol-1": .json(200, minimalVolumeJSON),
        "DELETE /v1/volume/vol-1": .empty(204),
        "GET /v1/volume/vol-1/files": .json(200, #"{"path":"/","entries":[{"name":"d","type":"directory","size_bytes":0},{"name":"f","type":"file","size_bytes":3}],"truncated":false}"#),
        "GET /v1/volume/vol-1/files/content": ScriptedReply(status: 200, headers: [("Content-Type", "application/octet-stream"), ("Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT")], body: Data("abc".utf8)),
        "PUT /v1/volume/vol-1/files/content": .empty(201),
        "POST /v1/volume/vol-1/files/move": .empty(204),
    ]

    static func route(_ request: RecordedRequest, _: Int) -> ScriptedReply {
        answers["\(request.method) \(request.path)"] ?? .error(404, "no route \(request.method) \(request.path)")
    }

    @Test func everyEndpointIsReachableAndDecodes() async throws {
        try await withScriptedAPI(Self.route) { porter, server in
            #expect(try await porter.health().status == "ok")
            #expect(try await porter.readiness().activeSandboxes == 3)

            let page = try await porter.sandboxes.list()
            #expect(page.sandboxes.map(\.id) == ["sb-1"])
            #expect(page.pagination.hasNextPage == false)
            #expect(page.filterValues == nil)
            let status = try #require(page.sandboxes.first?.status)
            #expect(status.tags == nil && status.exitCode == nil && status.startedAt == nil && status.finishedAt == nil)
            #expect(status.terminationReason == nil && status.internalAddress == nil && status.volumeMounts == nil && status.execTarget == nil)
            #expect(page.sandboxes.first?.tags == [:])

            let counts = try await porter.sandboxes.counts(phases: [.running])
            #expect(counts.points.first?.count == 4 && counts.granularityMs == 60000)

            let created = try await porter.sandboxes.create(image: "busybox")
            #expect(created.id == "sb-1" && created.name == "sb-1")

            let sandbox = try await porter.sandboxes.get(name: "sb-1")
            #expect(sandbox.phase == .running)
            #expect(sandbox.status?.createdAt == Date(timeIntervalSince1970: 1_785_585_600))

            let logs = try await sandbox.logs(limit: 10, since: "1h")
            #expect(logs.first?.level == .info && logs.first?.execId == "")
            let exec = try await sandbox.exec(["echo", "x"])
            #expect(exec.stdout == "x" && exec.execId == nil)
            let summary = try await sandbox.metricsSummary(since: "1h")
            #expect(summary.hasData == false && summary.windowSeconds == 3600)
            let metrics = try await sandbox.metrics(.cpuUsage, start: "2026-08-01T11:00:00Z", end: "2026-08-01T12:00:00Z")
            #expect(metrics.results.first?.series.first?.timeSeries.first?.value == 0.5)
            #expect(metrics.results.first?.series.first?.labels == nil && metrics.results.first?.series.first?.unit == nil)

            let snapshot = try await sandbox.snapshot()
            #expect(snapshot.status == .pending && snapshot.tCreatedUnixMs == nil && snapshot.sizeBytes == nil)
            #expect(try await porter.snapshots.create(sandboxID: "sb-1", mode: .full).id == "snap-1")
            #expect(try await porter.snapshots.list(sandboxID: "sb-1").first?.mode == .full)
            #expect(try await porter.snapshots.get(id: "snap-1").failureReason == "disk")
            try await porter.snapshots.delete(id: "snap-1")
            try await sandbox.terminate()

            let volumes = try await porter.volumes.list()
            #expect(volumes.first?.object == nil && volumes.first?.attachedTo == [])
            let volume = try await porter.volumes.create(name: "data")
            #expect(volume.type == .disk && volume.phase == .ready && volume.path == "sandbox-vol-1")
            #expect(volume.createdAt == Date(timeIntervalSince1970: 1_785_585_600.123))
            #expect(try await porter.volumes.lookup(name: "data") == "vol-1")
            let fetched = try await porter.volumes.get(name: "data")
            #expect(fetched.id == "vol-1")
            try await fetched.refresh()
            let listing = try await fetched.listFiles(path: "/", search: "f")
            #expect(listing.entries.map(\.name) == ["d", "f"])
            #expect(listing.entries.first?.entries == nil && listing.entries.first?.modifiedAt == nil && listing.entries.first?.truncated == nil)
            let content = try await fetched.readFile(path: "f")
            #expect(content.data == Data("abc".utf8))
            #expect(content.lastModified == Date(timeIntervalSince1970: 784_111_777))
            try await fetched.writeFile(path: "g", data: Data())
            try await fetched.moveFile(from: "g", to: "/h/")
            try await fetched.delete()
            try await porter.volumes.delete(name: "data")

            let expected = [
                "GET /healthz", "GET /readyz", "GET /v1/sandbox", "GET /v1/sandbox/counts?phase=running", "POST /v1/sandbox/run",
                "GET /v1/sandbox/lookup?name=sb-1", "GET /v1/sandbox/sb-1", "GET /v1/sandbox/sb-1/logs?limit=10&since=1h",
                "POST /v1/sandbox/sb-1/exec", "GET /v1/sandbox/sb-1/metrics-summary?since=1h",
                "GET /v1/sandbox/sb-1/metrics?metric=cpu_usage&start_time_utc=2026-08-01T11%3A00%3A00Z&end_time_utc=2026-08-01T12%3A00%3A00Z",
                "POST /v1/sandbox/sb-1/snapshot", "POST /v1/sandbox/sb-1/snapshot", "GET /v1/snapshot?sandbox_id=sb-1",
                "GET /v1/snapshot/snap-1", "DELETE /v1/snapshot/snap-1", "DELETE /v1/sandbox/sb-1",
                "GET /v1/volume", "POST /v1/volume", "GET /v1/volume/lookup?name=data", "GET /v1/volume/lookup?name=data",
                "GET /v1/volume/vol-1", "GET /v1/volume/vol-1", "GET /v1/volume/vol-1/files?path=%2F&search=f",
                "GET /v1/volume/vol-1/files/content?path=%2Ff", "PUT /v1/volume/vol-1/files/content?path=%2Fg",
                "POST /v1/volume/vol-1/files/move", "DELETE /v1/volume/vol-1", "GET /v1/volume/lookup?name=data", "DELETE /v1/volume/vol-1",
            ]
            #expect(server.requests.map { "\($0.method) \($0.target)" } == expected)
            let move = try #require(server.requests.first { $0.path.hasSuffix("/files/move") })
            #expect(try JSONSerialization.jsonObject(with: move.body) as? [String: String] == ["from": "/g", "to": "/h"])
            let snapshotBodies = server.requests.filter { $0.method == "POST" && $0.path.hasSuffix("/snapshot") }.map { String(decoding: $0.body, as: UTF8.self) }
            #expect(snapshotBodies == ["{}", #"{"mode":"full"}"#])
        }
    }

    @Test func volumeCreateWithNoArgumentsSendsAnEmptyObject() async throws {
        try await withScriptedAPI(Self.route) { porter, server in
            _ = try await porter.volumes.create()
            let body = try #require(try JSONSerialization.jsonObject(with: server.requests[0].body) as? [String: Any])
            #expect(body.isEmpty)
        }
    }

    @Test func objectVolumesDecode() async throws {
        let object = #"{"id":"vol-2","name":"bucket","type":"object","object":{"bucket":"b","prefix":"p","access":"read_only","mode":"filesystem"},"path":"","phase":"pending","attached_to":["sb-1"],"created_at":"2026-08-01T12:00:00Z"}"#
        try await withScriptedAPI(replies: [.json(200, object)]) { porter, _ in
            let volume = try await porter.volumes.get(id: "vol-2")
            #expect(volume.type == .object)
            #expect(volume.object?.bucket == "b" && volume.object?.access == .readOnly && volume.object?.mode == .filesystem)
            #expect(volume.attachedTo == ["sb-1"])
        }
    }

    @Test func fullStatusDecodes() async throws {
        let full = #"{"id":"sb-2","name":"api-g2","image":"img","tags":{"a":"b"},"phase":"failed","exit_code":3,"created_at":"2026-08-01T12:00:00Z","started_at":"2026-08-01T12:00:01.123456Z","finished_at":"2026-08-01T12:00:02+00:00","termination_reason":"workload_exited","host":"h.example","internal_address":"10.0.0.1:8080","volume_mounts":{"/m":"vol-1"},"exec_target":{"namespace":"ns","pod_name":"p","container_name":"c"},"unknown_field":1}"#
        try await withScriptedAPI(replies: [.json(200, full)]) { porter, _ in
            let status = try await porter.sandboxes.get(id: "sb-2").refresh()
            #expect(status.phase == .failed && status.phase.isTerminal)
            #expect(status.exitCode == 3 && status.terminationReason == .workloadExited)
            #expect(status.tags?.additionalProperties == ["a": "b"])
            #expect(status.execTarget?.podName == "p")
            #expect(status.volumeMounts?.additionalProperties == ["/m": "vol-1"])
        }
    }
}

/// What the controller's lookups cost on the wire.
@Suite("Lookups in one request each")
struct LookupCostTests {
    @Test func statusByIDIsOneGETAndByNameTwo() async throws {
        try await withScriptedAPI(EndpointCoverageTests.route) { porter, server in
            #expect(try await porter.sandboxes.status(id: "sb-1").id == "sb-1")
            #expect(server.requests.map { "\($0.method) \($0.path)" } == ["GET /v1/sandbox/sb-1"])
            _ = try await porter.sandboxes.status(id: try await porter.sandboxes.lookup(name: "sb-1"))
            #expect(server.requests.count == 3, "a lookup by name, then one GET")
            try await porter.sandboxes.terminate(id: "sb-1")
            #expect(server.requests.last.map { "\($0.method) \($0.path)" } == "DELETE /v1/sandbox/sb-1")
            #expect(server.requests.count == 4, "terminate fetches nothing first")
        }
    }
}
