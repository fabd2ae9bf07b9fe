import Foundation
import PorterSandbox

extension LocalSandboxEngine {
    /// Creates a volume (`pending`, `ready` once its directory exists); names are unique while a
    /// volume lives.
    func createVolume(_ spec: Components.Schemas.VolumeSpec) throws -> VolumeRecord {
        let id = UUID().uuidString.lowercased()
        let name = spec.name ?? id
        guard SandboxSpecValidation.isDNSLabel(name) else {
            throw LocalAPIError.badRequest("volume name '\(name)' is not a DNS label (1–63 lowercase letters, digits and '-')")
        }
        if let existing = volumeIDByName[name] {
            throw LocalAPIError.conflict("volume name '\(name)' is already used by volume \(existing)")
        }
        let type: VolumeType = spec._type == .object ? .object : .disk
        if type == .object {
            guard let object = spec.object, !object.bucket.isEmpty else {
                throw LocalAPIError.badRequest("object volumes need object.bucket")
            }
            if object.access == .writeOnlyNewFiles, object.mode == .filesystem {
                throw LocalAPIError.badRequest("object.mode filesystem cannot be combined with access write_only_new_files")
            }
        }
        let volume = LocalVolume(
            id: id, name: name, type: type, object: type == .object ? spec.object : nil, phase: .pending, createdAt: clock())
        if type == .disk {
            do {
                try FileManager.default.createDirectory(at: volumeDirectory(volume), withIntermediateDirectories: true)
            } catch {
                throw LocalAPIError(status: .internalServerError, message: "could not create the volume's directory: \(error)")
            }
        }
        try store.save(volumes: [volume])
        volumes[id] = volume
        volumeIDByName[name] = id
        timers.schedule(.volumeReady(volumeID: id), at: clock().addingTimeInterval(0.01))
        return volume.record(attachedTo: [])
    }

    /// The volume with this id, or `notFound`.
    func volume(id: String) throws(LocalAPIError) -> LocalVolume {
        guard let volume = volumes[id] else { throw .notFound("no volume with id '\(id)'") }
        return volume
    }

    /// A disk volume's directory, for the files API; `badRequest` for object volumes.
    func diskDirectory(volumeID: String) throws -> URL {
        let volume = try volume(id: volumeID)
        guard volume.type == .disk else {
            throw LocalAPIError.badRequest("volume '\(volume.name)' is an object volume: the files API works on disk volumes only")
        }
        return volumeDirectory(volume)
    }

    func volumeRecord(id: String) throws -> VolumeRecord {
        try volume(id: id).record(attachedTo: attachments()[id] ?? [])
    }

    /// Every volume, newest first.
    func volumeRecords() -> [VolumeRecord] {
        let attached = attachments()
        return volumes.values.sorted { $0.createdAt > $1.createdAt }.map { $0.record(attachedTo: attached[$0.id] ?? []) }
    }

    func lookupVolume(name: String) throws -> String {
        guard let id = volumeIDByName[name] else { throw LocalAPIError.notFound("no volume named '\(name)'") }
        return id
    }

    /// Deletes a volume and its data; `conflict` while a live sandbox mounts it.
    func deleteVolume(id: String) throws {
        let volume = try volume(id: id)
        if let attached = attachments()[id], !attached.isEmpty {
            let names = attached.compactMap { sandboxes[$0]?.name }.joined(separator: ", ")
            throw LocalAPIError.conflict("volume '\(volume.name)' is attached to live sandboxes (\(names)): terminate them first")
        }
        try store.save(deletedVolumeIDs: [id])
        volumes[id] = nil
        volumeIDByName[volume.name] = nil
        if volume.type == .disk {
            let (directory, logger, name) = (volumeDirectory(volume), logger, volume.name)
            Task {
                if let failure = await TreeRemoval.remove(directory) { logger.warning("could not remove the directory of volume \(name): \(failure)") }
            }
        }
    }
}
