import Foundation
import LocalSandboxAPI
import PorterSandbox
import Testing

@Suite("Local API: sandboxes through the Swift SDK (simulated runtime)")
struct SandboxLifecycleTests {
    @Test func createRunTerminate() async throws {
        try await withLocalAPI { api in
            let porter = api.porter
            let sandbox = try await porter.sandboxes.create(
                image: "python:3.12-slim", name: "api-g1", tags: ["porter-fleet/fleet": "default", "team": "ml"],
                command: ["sleep", "infinity"], networking: [.init(port: 8080, _internal: true)])
            #expect(sandbox.name == "api-g1")
            let running = try await api.waitFor(sandbox) { $0.phase == .running }
            #expect(running.startedAt != nil && running.finishedAt == nil && running.terminationReason == nil)
            #expect(running.tags?.additionalProperties == ["porter-fleet/fleet": "default", "team": "ml"])
            #expect(running.host == "" && running.internalAddress == "127.0.0.1:8080")
            #expect(try await porter.sandboxes.lookup(name: "api-g1") == sandbox.id)
            #expect(try await porter.readiness().activeSandboxes == 1)

            try await sandbox.terminate()
            let terminated = try await sandbox.refresh()
            #expect(terminated.phase == .terminated && terminated.terminationReason == .sdk && terminated.finishedAt != nil)
            try await sandbox.terminate(source: .cli)
            let checked0 = try await sandbox.refresh().terminationReason == .sdk
            #expect(checked0, "terminating a terminal sandbox changes nothing")
            #expect(try await porter.readiness().activeSandboxes == 0)

            let again = await #expect(throws: PorterError.self) { try await porter.sandboxes.create(image: "busybox", name: "api-g1") }
            #expect(again?.kind == .conflict, "names are never reused, even after termination")
            #expect(again?.message.contains("never be reused") == true)
            let exec = await #expect(throws: PorterError.self) { try await sandbox.exec(["true"]) }
            #expect(exec?.kind == .conflict)
        }
    }

    @Test func terminationSourceBecomesTheReason() async throws {
        try await withLocalAPI { api in
            for (index, source) in [TerminationSource.cli, .dashboard].enumerated() {
                let sandbox = try await api.porter.sandboxes.create(image: "busybox", name: "s\(index)")
                try await sandbox.terminate(source: source)
                #expect(try await sandbox.refresh().terminationReason?.rawValue == source.rawValue)
            }
        }
    }

    struct InvalidCreate: Sendable, CustomTestStringConvertible {
        var name: String
        var spec: SandboxSpec
        var status: Int
        var message: String
        var testDescription: String { name }
    }

    static let invalidCreates: [InvalidCreate] = [
        .init(name: "no image", spec: .init(name: "a"), status: 400, message: "image is required"),
        .init(name: "uppercase name", spec: .init(image: "i", name: "Api"), status: 400, message: "not a DNS label"),
        .init(name: "name too long", spec: .init(image: "i", name: String(repeating: "a", count: 64)), status: 400, message: "not a DNS label"),
        .init(name: "name ending in a hyphen", spec: .init(image: "i", name: "api-"), status: 400, message: "not a DNS label"),
        .init(name: "relative mount path", spec: .init(image: "i", volumeMounts: .init(additionalProperties: ["data": "v"])), status: 400, message: "absolute path"),
        .init(name: "unknown volume", spec: .init(image: "i", volumeMounts: .init(additionalProperties: ["/data": "nope"])), status: 400, message: "no volume with id 'nope'"),
        .init(name: "two ports", spec: .init(image: "i", networking: [.init(port: 8080), .init(port: 8081)]), status: 400, message: "at most one entry"),
        .init(name: "privileged port", spec: .init(image: "i", networking: [.init(port: 80)]), status: 400, message: "outside 1024–65535"),
        .init(name: "zero TTL", spec: .init(image: "i", ttlSeconds: 0), status: 400, message: "ttl_seconds"),
        .init(name: "empty image", spec: .init(image: ""), status: 400, message: "image is required"),
        .init(name: "cpu not a quantity", spec: .init(image: "i", resources: .init(cpu: "lots")), status: 400, message: "resources.cpu 'lots' is not a positive Kubernetes quantity"),
        .init(name: "memory not a quantity", spec: .init(image: "i", resources: .init(memory: "1Zb")), status: 400, message: "resources.memory '1Zb' is not"),
        .init(name: "unknown env group", spec: .init(image: "i", envGroups: ["prod"]), status: 400, message: "env_groups"),
        .init(name: "snapshot", spec: .init(snapshotId: "snap-1"), status: 501, message: "snapshots are not supported"),
    ]

    @Test(arguments: invalidCreates)
    func invalidCreatesAreRefused(_ testCase: InvalidCreate) async throws {
        try await withLocalAPI { api in
            let error = await #expect(throws: PorterError.self) { try await api.porter.sandboxes.create(testCase.spec) }
            #expect(error?.statusCode == testCase.status)
            #expect(error?.message.contains(testCase.message) == true, "\(error?.message ?? "")")
            let left = try await api.porter.sandboxes.list().sandboxes
            #expect(left.isEmpty, "a refused create leaves nothing behind")
        }
    }

    @Test func unknownIDsAreNotFound() async throws {
        try await withLocalAPI { api in
            let ghost = try await api.porter.sandboxes.list().sandboxes.first
            #expect(ghost == nil)
            for call in [
                { _ = try await api.porter.sandboxes.get(id: "no-such-id") },
                { _ = try await api.porter.sandboxes.lookup(name: "no-such-name") },
                { _ = try await api.porter.volumes.get(id: "no-such-id") },
                { _ = try await api.porter.volumes.lookup(name: "nope") },
                { _ = try await api.porter.snapshots.get(id: "nope") },
            ] as [@Sendable () async throws -> Void] {
                let error = await #expect(throws: PorterError.self) { try await call() }
                #expect(error?.kind == .notFound)
            }
            let (status, body, headers) = try await api.raw("DELETE", "/v1/sandbox/no-such-id")
            #expect(status == 404 && headers["content-type"] == "application/json")
            #expect(errorMessage(body) == "no sandbox with id 'no-such-id'")
            let (routeStatus, routeBody, _) = try await api.raw("GET", "/v2/whatever")
            #expect(routeStatus == 404 && errorMessage(routeBody)?.contains("no such endpoint") == true)
        }
    }

    @Test func listFiltersPagesAndOrders() async throws {
        try await withLocalAPI { api in
            for index in 0..<230 {
                _ = try await api.porter.sandboxes.create(
                    image: index % 2 == 0 ? "even:1" : "odd:1", name: "box-\(index)",
                    tags: ["fleet": index < 200 ? "a" : "b", "n": "\(index % 3)"])
            }
            let first = try await api.porter.sandboxes.list(includeFilterValues: true)
            #expect(first.sandboxes.count == 100)
            #expect(first.sandboxes.first?.name == "box-229", "newest first")
            #expect(first.pagination.totalPages == 3 && first.pagination.hasNextPage)
            #expect(first.filterValues?.images == ["even:1", "odd:1"])
            #expect(first.filterValues?.phases.count == 6)
            #expect(first.filterValues?.tags.contains("fleet=b") == true)
            let third = try await api.porter.sandboxes.list(page: 3)
            #expect(third.sandboxes.count == 30 && !third.pagination.hasNextPage)
            let beyond = try await api.porter.sandboxes.list(page: 9)
            #expect(beyond.sandboxes.isEmpty && !beyond.pagination.hasNextPage)

            var all: [String] = []
            for try await sandbox in api.porter.sandboxes.all(tags: ["fleet": "a", "n": "0"]) { all.append(sandbox.name ?? "") }
            #expect(all.count == 67 && all.allSatisfy { Int($0.dropFirst(4))! % 3 == 0 && Int($0.dropFirst(4))! < 200 })
            #expect(try await api.porter.sandboxes.list(image: "odd:1").sandboxes.allSatisfy { $0.status?.image == "odd:1" })
            #expect(try await api.porter.sandboxes.list(search: "box-22").sandboxes.count == 11)
            let none = try await api.porter.sandboxes.list(tags: ["fleet": "c"])
            #expect(none.sandboxes.isEmpty && none.pagination.totalPages == 1)

            try await Task.sleep(for: .milliseconds(100))
            _ = try await api.porter.sandboxes.get(name: "box-0").terminate()
            let live = try await api.porter.sandboxes.list(phases: [.queued, .creating, .running], search: "box-0")
            #expect(live.sandboxes.isEmpty)
            let terminated = try await api.porter.sandboxes.list(phases: [.terminated])
            #expect(terminated.sandboxes.map(\.name) == ["box-0"])
            let counts = try await api.porter.sandboxes.counts(tags: ["fleet": "b"])
            #expect(counts.points.reduce(0) { $0 + $1.count } == 30)
        }
    }

    @Test func pythonEnumFormsAndPlusSpacesAreAccepted() async throws {
        try await withLocalAPI { api in
            _ = try await api.porter.sandboxes.create(image: "busybox", name: "x1", tags: ["k": "a b"])
            let (status, body, _) = try await api.raw("GET", "/v1/sandbox?phase=SandboxesPhase.QUEUED&phase=SandboxesPhase.RUNNING&phase=creating&tag=k%3Da+b")
            #expect(status == 200)
            let list = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            #expect((list["sandboxes"] as? [[String: Any]])?.count == 1)
            let id = try await api.porter.sandboxes.lookup(name: "x1")
            let (deleteStatus, _, _) = try await api.raw("DELETE", "/v1/sandbox/\(id)?source=SandboxesSource.DASHBOARD")
            #expect(deleteStatus == 204)
            #expect(try await api.porter.sandboxes.get(id: id).status?.terminationReason == .dashboard)
        }
    }

    @Test func badBodiesGetClearErrors() async throws {
        try await withLocalAPI { api in
            let json = ["Content-Type": "application/json"]
            let cases: [(String, String)] = [
                ("{not json", "not valid JSON"),
                (#"{"image": 5}"#, "wrong type at 'image'"),
                (#"{"image": "i", "networking": [{}]}"#, "missing field 'networking[0].port'"),
                (#"{"image": "i", "ttl_seconds": "soon"}"#, "wrong type at 'ttl_seconds'"),
            ]
            for (body, message) in cases {
                let (status, data, headers) = try await api.raw("POST", "/v1/sandbox/run", body: Data(body.utf8), headers: json)
                #expect(status == 400, "\(body)")
                #expect(headers["content-type"] == "application/json")
                #expect(errorMessage(data)?.contains(message) == true, "\(body) → \(errorMessage(data) ?? "")")
            }
            let huge = Data(("{\"image\": \"" + String(repeating: "x", count: 3 << 20) + "\"}").utf8)
            let (status, data, _) = try await api.raw("POST", "/v1/sandbox/run", body: huge, headers: json)
            #expect(status == 413 || status == 400)
            #expect(errorMessage(data) != nil)
            #expect(try await api.porter.sandboxes.list().sandboxes.isEmpty)
            let (logStatus, logBody, _) = try await api.raw("GET", "/v1/sandbox/x/logs?since=forever")
            #expect(logStatus == 404 || (logStatus == 400 && errorMessage(logBody) != nil))
        }
    }

    @Test func ttlTerminatesWithTTLExpired() async throws {
        try await withLocalAPI { api in
            let sandbox = try await api.porter.sandboxes.create(image: "busybox", name: "short", ttlSeconds: 1)
            let status = try await api.waitFor(sandbox) { $0.phase.isTerminal }
            #expect(status.phase == .terminated && status.terminationReason == .ttlExpired)
            let lifetime = try #require(status.finishedAt).timeIntervalSince(try #require(status.startedAt))
            #expect(lifetime >= 0.99, "the TTL counts from started_at")
        }
    }

    @Test func simulatedExitsFromEnv() async throws {
        try await withLocalAPI { api in
            let ok = try await api.porter.sandboxes.create(image: "busybox", name: "ok", env: ["PORTER_SIMULATED_EXIT_AFTER": "50ms"])
            let bad = try await api.porter.sandboxes.create(
                image: "busybox", name: "bad", env: ["PORTER_SIMULATED_EXIT_AFTER": "50ms", "PORTER_SIMULATED_EXIT_CODE": "3"])
            let okStatus = try await api.waitFor(ok) { $0.phase.isTerminal }
            let badStatus = try await api.waitFor(bad) { $0.phase.isTerminal }
            #expect(okStatus.phase == .succeeded && okStatus.exitCode == 0 && okStatus.terminationReason == .workloadExited)
            #expect(badStatus.phase == .failed && badStatus.exitCode == 3 && badStatus.terminationReason == .workloadExited)
        }
    }

    @Test func simulatedExecAnswersZero() async throws {
        try await withLocalAPI { api in
            let sandbox = try await api.porter.sandboxes.create(image: "busybox", name: "e")
            _ = try await api.waitFor(sandbox) { $0.phase == .running }
            let result = try await sandbox.exec(["anything"])
            #expect(result.exitCode == 0 && result.stdout == "" && result.execId?.isEmpty == false)
            let empty = await #expect(throws: PorterError.self) { try await sandbox.exec([]) }
            #expect(empty?.statusCode == 400)
        }
    }

    @Test func metricsAndSnapshotsAnswerHonestly() async throws {
        try await withLocalAPI { api in
            let sandbox = try await api.porter.sandboxes.create(image: "busybox", name: "m")
            let summary = try await sandbox.metricsSummary(since: "1h")
            #expect(summary.hasData == false && summary.windowSeconds == 3600)
            let tooShort = await #expect(throws: PorterError.self) { try await sandbox.metricsSummary(since: "1m") }
            #expect(tooShort?.statusCode == 400)
            let metrics = try await sandbox.metrics(.memoryUsage, start: "2026-01-01T00:00:00Z", end: "2026-01-01T01:00:00Z")
            #expect(metrics.results.first?.series.first?.unit == "bytes")
            let snapshot = await #expect(throws: PorterError.self) { try await sandbox.snapshot() }
            #expect(snapshot?.statusCode == 501)
            #expect(try await api.porter.snapshots.list().isEmpty)
        }
    }

    @Test func bearerTokenIsRequiredWhenSet() async throws {
        try await withLocalAPI(apiKey: "s3cret", { $0.token = "s3cret" }) { api in
            #expect(try await api.porter.health().status == "ok")
            _ = try await api.porter.sandboxes.list()
            let (status, body, _) = try await api.raw("GET", "/v1/sandbox")
            #expect(status == 401 && errorMessage(body)?.contains("missing") == true)
            let (wrong, _, _) = try await api.raw("GET", "/healthz", headers: ["Authorization": "Bearer nope"])
            #expect(wrong == 401)
        }
    }
}
