import Foundation
import HTTPTypes
import OpenAPIRuntime
import PorterSandbox
import WireFormats

/// The handlers of every endpoint of `docs/openapi.yaml`, served by the generated server code.
struct LocalAPIHandler: APIProtocol {
    let engine: LocalSandboxEngine
    let configuration: LocalAPIConfiguration
    let runtime: any SandboxRuntime

    // MARK: Sandboxes

    func listSandboxes(_ input: Operations.ListSandboxes.Input) async throws -> Operations.ListSandboxes.Output {
        let query = input.query
        let filter = try SandboxFilter(
            startTime: query.startTime, endTime: query.endTime, search: query.search, tags: query.tag, phases: query.phase,
            image: query.image)
        let page = query.page ?? 1
        guard page >= 1 else { throw LocalAPIError.badRequest("page must be 1 or more, not \(page)") }
        let response = await engine.list(filter, page: page, includeFilterValues: query.includeFilterValues ?? false)
        return .ok(.init(body: .json(response)))
    }

    func sandboxCounts(_ input: Operations.SandboxCounts.Input) async throws -> Operations.SandboxCounts.Output {
        let query = input.query
        let filter = try SandboxFilter(
            startTime: query.startTime, endTime: query.endTime, search: query.search, tags: query.tag, phases: query.phase,
            image: query.image)
        return .ok(.init(body: .json(await engine.counts(filter))))
    }

    func createSandbox(_ input: Operations.CreateSandbox.Input) async throws -> Operations.CreateSandbox.Output {
        guard case .json(let spec) = input.body else { throw LocalAPIError.badRequest("the body must be JSON") }
        let sandbox = try await engine.create(spec)
        let mounts = sandbox.volumeMounts.isEmpty ? nil : Components.Schemas.StringMap(additionalProperties: sandbox.volumeMounts)
        return .successful(statusCode: 201, .init(body: .json(.init(id: sandbox.id, name: sandbox.name, volumeMounts: mounts))))
    }

    func lookupSandbox(_ input: Operations.LookupSandbox.Input) async throws -> Operations.LookupSandbox.Output {
        .ok(.init(body: .json(.init(id: try await engine.lookupSandbox(name: input.query.name)))))
    }

    func getSandbox(_ input: Operations.GetSandbox.Input) async throws -> Operations.GetSandbox.Output {
        .ok(.init(body: .json(try await engine.sandbox(id: input.path.id).status)))
    }

    func deleteSandbox(_ input: Operations.DeleteSandbox.Input) async throws -> Operations.DeleteSandbox.Output {
        let reason: TerminationReason =
            switch input.query.source {
            case .cli: .cli
            case .dashboard: .dashboard
            case nil: .sdk
            }
        _ = try await engine.terminate(id: input.path.id, reason: reason)
        return .successful(statusCode: 204, .init())
    }

    func getSandboxLogs(_ input: Operations.GetSandboxLogs.Input) async throws -> Operations.GetSandboxLogs.Output {
        var since: Duration?
        if let text = input.query.since, !text.isEmpty {
            since = try Self.duration(text, parameter: "since")
        }
        if let limit = input.query.limit, limit < 0 { throw LocalAPIError.badRequest("limit must not be negative, not \(limit)") }
        let lines = try await engine.logs(id: input.path.id, limit: input.query.limit.map(Int.init), since: since)
        let logs = lines.map { LogLine(timestamp: $0.timestamp, line: $0.line, level: $0.level, execId: $0.execID) }
        return .ok(.init(body: .json(.init(sandboxId: input.path.id, logs: logs))))
    }

    func execSandbox(_ input: Operations.ExecSandbox.Input) async throws -> Operations.ExecSandbox.Output {
        guard case .json(let request) = input.body else { throw LocalAPIError.badRequest("the body must be JSON") }
        try SandboxSpecValidation.validateExecCommand(request.command)
        return .ok(.init(body: .json(try await engine.exec(id: input.path.id, command: request.command))))
    }

    func getSandboxMetricsSummary(_ input: Operations.GetSandboxMetricsSummary.Input) async throws
        -> Operations.GetSandboxMetricsSummary.Output
    {
        _ = try await engine.sandbox(id: input.path.id)
        var window: Int64 = 3600
        if let text = input.query.since, !text.isEmpty {
            let duration = try Self.duration(text, parameter: "since")
            guard duration >= .seconds(180), duration <= .seconds(86_400) else {
                throw LocalAPIError.badRequest("since '\(text)' must be a duration between 3m and 24h")
            }
            window = duration.components.seconds
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        windowSeconds: window, hasData: false, cpuCoresP50: 0, cpuCoresP90: 0, cpuLimitCores: 0, cpuUtilP50Pct: 0,
                        cpuUtilP90Pct: 0, memBytesP50: 0, memBytesP90: 0, memLimitBytes: 0, memUtilP50Pct: 0, memUtilP90Pct: 0))))
    }

    func getSandboxMetrics(_ input: Operations.GetSandboxMetrics.Input) async throws -> Operations.GetSandboxMetrics.Output {
        _ = try await engine.sandbox(id: input.path.id)
        let unit =
            switch input.query.metric {
            case .cpuUsage, .cpuReserved: "cores"
            case .memoryUsage, .memoryReserved: "bytes"
            case .networkRx, .networkTx: "bytes/sec"
            }
        let series = Components.Schemas.SandboxMetricsSeries(
            labels: .init(additionalProperties: ["pod": input.path.id]), unit: unit, timeSeries: [])
        return .ok(.init(body: .json(.init(results: [.init(series: [series])]))))
    }

    /// A Go duration from a query parameter; 400 for a malformed or out-of-range one.
    private static func duration(_ text: String, parameter: String) throws -> Duration {
        do {
            return try GoDuration.parse(text)
        } catch .malformed {
            throw LocalAPIError.badRequest("\(parameter) '\(text.prefix(64))' is not a duration such as 30m or 1h30m")
        } catch .outOfRange {
            throw LocalAPIError.badRequest("\(parameter) '\(text.prefix(64))' is longer than the longest duration (2562047h)")
        }
    }

    // MARK: Snapshots (not supported locally: a documented 501)

    func createSnapshot(_ input: Operations.CreateSnapshot.Input) async throws -> Operations.CreateSnapshot.Output {
        _ = try await engine.sandbox(id: input.path.id)
        throw LocalAPIError.notImplemented("snapshots are not supported by the local Sandbox API")
    }

    func listSnapshots(_ input: Operations.ListSnapshots.Input) async throws -> Operations.ListSnapshots.Output {
        .ok(.init(body: .json(.init(snapshots: []))))
    }

    func getSnapshot(_ input: Operations.GetSnapshot.Input) async throws -> Operations.GetSnapshot.Output {
        throw LocalAPIError.notFound("no snapshot with id '\(input.path.id)' (the local Sandbox API does not take snapshots)")
    }

    func deleteSnapshot(_ input: Operations.DeleteSnapshot.Input) async throws -> Operations.DeleteSnapshot.Output {
        throw LocalAPIError.notFound("no snapshot with id '\(input.path.id)' (the local Sandbox API does not take snapshots)")
    }

    // MARK: Volumes

    func listVolumes(_ input: Operations.ListVolumes.Input) async throws -> Operations.ListVolumes.Output {
        .ok(.init(body: .json(.init(volumes: await engine.volumeRecords()))))
    }

    func createVolume(_ input: Operations.CreateVolume.Input) async throws -> Operations.CreateVolume.Output {
        guard case .json(let spec) = input.body else { throw LocalAPIError.badRequest("the body must be JSON") }
        return .successful(statusCode: 201, .init(body: .json(try await engine.createVolume(spec))))
    }

    func lookupVolume(_ input: Operations.LookupVolume.Input) async throws -> Operations.LookupVolume.Output {
        .ok(.init(body: .json(.init(id: try await engine.lookupVolume(name: input.query.name)))))
    }

    func getVolume(_ input: Operations.GetVolume.Input) async throws -> Operations.GetVolume.Output {
        .ok(.init(body: .json(try await engine.volumeRecord(id: input.path.id))))
    }

    func deleteVolume(_ input: Operations.DeleteVolume.Input) async throws -> Operations.DeleteVolume.Output {
        try await engine.deleteVolume(id: input.path.id)
        return .successful(statusCode: 204, .init())
    }

    func listVolumeFiles(_ input: Operations.ListVolumeFiles.Input) async throws -> Operations.ListVolumeFiles.Output {
        let files = VolumeFileSystem(root: try await engine.diskDirectory(volumeID: input.path.id))
        let limits = FileTreeWalk.Limits(
            entries: configuration.fileListBudget, searchedEntries: configuration.fileSearchBudget, duration: configuration.fileWalkTimeLimit)
        let (path, search) = (input.query.path ?? "/", input.query.search)
        let listing = try await FileWalkPool.shared.run { try files.list(path: path, search: search, limits: limits) }
        return .ok(.init(body: .json(listing)))
    }

    func readVolumeFile(_ input: Operations.ReadVolumeFile.Input) async throws -> Operations.ReadVolumeFile.Output {
        let files = VolumeFileSystem(root: try await engine.diskDirectory(volumeID: input.path.id))
        let file = try files.openRegularFile(path: input.query.path)
        let range = try VolumeFileSystem.byteRange(input.headers.range, size: file.size)
        let body = HTTPBody(file.chunks(of: range), length: .known(range?.count ?? file.size), iterationBehavior: .single)
        let lastModified = HTTPDate.format(file.modified)
        if let range {
            let contentRange = ContentRange(start: range.first, end: range.last, size: file.size)
            return .partialContent(.init(headers: .init(contentRange: contentRange.headerValue, lastModified: lastModified), body: .binary(body)))
        }
        return .ok(.init(headers: .init(lastModified: lastModified), body: .binary(body)))
    }

    func writeVolumeFile(_ input: Operations.WriteVolumeFile.Input) async throws -> Operations.WriteVolumeFile.Output {
        let root = try await engine.diskDirectory(volumeID: input.path.id)
        guard case .binary(let body) = input.body else { throw LocalAPIError.badRequest("the body must be application/octet-stream") }
        if case .known(let length) = body.length, length > configuration.maxUploadBytes {
            throw LocalAPIError.tooLarge("the file is larger than the \(configuration.maxUploadBytes)-byte limit of one write")
        }
        let staging = root.deletingLastPathComponent().appendingPathComponent(".staging")
        try await VolumeFileSystem(root: root, owner: runtime.fileOwner).write(path: input.query.path, body: body, staging: staging, maxBytes: configuration.maxUploadBytes)
        return .successful(statusCode: 204, .init())
    }

    func moveVolumeFile(_ input: Operations.MoveVolumeFile.Input) async throws -> Operations.MoveVolumeFile.Output {
        guard case .json(let request) = input.body else { throw LocalAPIError.badRequest("the body must be JSON") }
        try VolumeFileSystem(root: try await engine.diskDirectory(volumeID: input.path.id)).move(from: request.from, to: request.to)
        return .successful(statusCode: 204, .init())
    }

    // MARK: Health

    func healthCheck(_ input: Operations.HealthCheck.Input) async throws -> Operations.HealthCheck.Output {
        .ok(.init(body: .json(.init(status: "ok"))))
    }

    func readinessCheck(_ input: Operations.ReadinessCheck.Input) async throws -> Operations.ReadinessCheck.Output {
        let status = runtime.isolationWarning.map { "ready (degraded isolation: \($0))" } ?? "ready (isolation: \(runtime.isolationSummary))"
        return .ok(.init(body: .json(.init(status: status, activeSandboxes: Int64(await engine.activeCount)))))
    }
}
