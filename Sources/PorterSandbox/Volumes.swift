import OpenAPIRuntime

/// The volume operations of the API (`porter.volumes`).
public struct Volumes: Sendable {
    /// The generated client these calls go through.
    public let raw: Client

    init(client: Client) { self.raw = client }

    /// Every volume in the cluster, with the sandboxes each is attached to (`GET /v1/volume`).
    public func list() async throws -> [Volume] {
        try await PorterCall.perform { try await raw.listVolumes().ok.body.json.volumes }.map { Volume(record: $0, client: raw) }
    }

    /// Creates a volume (`POST /v1/volume`); `type` defaults to `disk`, and object volumes need `object`.
    public func create(
        name: String? = nil,
        type: Components.Schemas.VolumeSpecType? = nil,
        object: VolumeObjectSpec? = nil
    ) async throws -> Volume {
        let spec = Components.Schemas.VolumeSpec(name: name, _type: type, object: object)
        let record = try await PorterCall.perform { try await raw.createVolume(body: .json(spec)).successful.body.json }
        return Volume(record: record, client: raw)
    }

    /// The id of the volume with this name (`GET /v1/volume/lookup`); `notFound` when there is none.
    public func lookup(name: String) async throws -> String {
        try await PorterCall.perform { try await raw.lookupVolume(query: .init(name: name)).ok.body.json.id }
    }

    /// The volume with this name (lookup, then `GET /v1/volume/{id}`).
    public func get(name: String) async throws -> Volume {
        try await get(id: lookup(name: name))
    }

    /// The volume with this id (`GET /v1/volume/{id}`).
    public func get(id: String) async throws -> Volume {
        let record = try await PorterCall.perform { try await raw.getVolume(path: .init(id: id)).ok.body.json }
        return Volume(record: record, client: raw)
    }

    /// Deletes the volume with this name (lookup, then `DELETE /v1/volume/{id}`); refused with
    /// `conflict` while a sandbox is attached.
    public func delete(name: String) async throws {
        let id = try await lookup(name: name)
        try await delete(id: id)
    }

    /// Deletes the volume with this id (`DELETE /v1/volume/{id}`).
    public func delete(id: String) async throws {
        _ = try await PorterCall.perform { try await raw.deleteVolume(path: .init(id: id)).successful }
    }
}
