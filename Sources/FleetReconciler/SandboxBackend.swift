import Foundation
import PorterSandbox

/// A sandbox as the reconciler observes it in the Sandbox API.
///
/// A value, stored out of line: a pass passes 10,000 of these through dictionaries and arrays, and a copy
/// is then one reference, not a dozen (the storage is copied on the first change, as for `Array`).
public struct ObservedSandbox: Sendable, Equatable {
    /// The fields. The ownership tags are kept apart from the other tags, read once (they are consulted
    /// many times a pass), and the other tags (usually none) need no storage of their own.
    private struct Fields: Equatable {
        var id: String
        var name: String
        var otherTags: [String: String] = [:]
        var phase: SandboxPhase
        var image: String
        var volumeMounts: [String: String]
        var createdAt: Date
        var startedAt: Date?
        var finishedAt: Date?
        var exitCode: Int?
        var terminationReason: TerminationReason?
        var fleet: String?
        var logicalName: String?
        var generationTag: String?
        var generation: Int?
        var specHash: String?
    }

    /// Shared by copies until one of them changes (see ``unique()``), so never changed while shared.
    private final class Box: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    /// Creates an observation.
    public init(
        id: String, name: String, tags: [String: String], phase: SandboxPhase, image: String = "", volumeMounts: [String: String] = [:],
        createdAt: Date, startedAt: Date? = nil, finishedAt: Date? = nil, exitCode: Int? = nil, terminationReason: TerminationReason? = nil
    ) {
        box = Box(
            Fields(
                id: id, name: name, phase: phase, image: image, volumeMounts: volumeMounts, createdAt: createdAt, startedAt: startedAt,
                finishedAt: finishedAt, exitCode: exitCode, terminationReason: terminationReason))
        setTags(tags)
    }

    /// The observation of an API status.
    public init(_ status: SandboxStatus) {
        self.init(
            id: status.id, name: status.name, tags: status.tags?.additionalProperties ?? [:], phase: status.phase, image: status.image,
            volumeMounts: status.volumeMounts?.additionalProperties ?? [:], createdAt: status.createdAt, startedAt: status.startedAt,
            finishedAt: status.finishedAt, exitCode: status.exitCode.map(Int.init), terminationReason: status.terminationReason)
    }

    public static func == (a: ObservedSandbox, b: ObservedSandbox) -> Bool {
        a.box === b.box || a.box.fields == b.box.fields
    }

    /// The storage, copied first when another value shares it.
    private mutating func unique() -> Box {
        if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
        return box
    }

    /// A field, read from the shared storage and written to a storage of this value's own.
    private subscript<Value>(field field: WritableKeyPath<Fields, Value>) -> Value {
        get { box.fields[keyPath: field] }
        set { unique().fields[keyPath: field] = newValue }
    }

    /// Keeps `tags`: the ownership tags as fields, the others as they are.
    private mutating func setTags(_ tags: [String: String]) {
        let box = unique()
        box.fields.fleet = tags[OwnershipTags.fleet]
        box.fields.logicalName = tags[OwnershipTags.name]
        box.fields.generationTag = tags[OwnershipTags.generation]
        box.fields.generation = box.fields.generationTag.flatMap { Int($0) }
        box.fields.specHash = tags[OwnershipTags.specHash]
        let ownership = OwnershipTags.all.count { tags[$0] != nil }
        box.fields.otherTags = tags.count == ownership ? [:] : tags.filter { !OwnershipTags.all.contains($0.key) }
    }

    /// The ownership tags it carries, as key and value.
    private var ownershipTags: [(key: String, value: String)] {
        let fields = box.fields
        return [
            (OwnershipTags.fleet, fields.fleet), (OwnershipTags.name, fields.logicalName), (OwnershipTags.generation, fields.generationTag),
            (OwnershipTags.specHash, fields.specHash),
        ].compactMap { key, value in value.map { (key, $0) } }
    }

    /// The API id.
    public var id: String {
        get { self[field: \.id] }
        set { self[field: \.id] = newValue }
    }
    /// The actual name.
    public var name: String {
        get { self[field: \.name] }
        set { self[field: \.name] = newValue }
    }
    /// Its tags (ownership tags included).
    public var tags: [String: String] {
        get { box.fields.otherTags.merging(ownershipTags, uniquingKeysWith: { _, ownership in ownership }) }
        set { setTags(newValue) }
    }
    /// Its phase.
    public var phase: SandboxPhase {
        get { self[field: \.phase] }
        set { self[field: \.phase] = newValue }
    }
    /// Its image.
    public var image: String {
        get { self[field: \.image] }
        set { self[field: \.image] = newValue }
    }
    /// Mount path → volume id.
    public var volumeMounts: [String: String] {
        get { self[field: \.volumeMounts] }
        set { self[field: \.volumeMounts] = newValue }
    }
    /// When it was created.
    public var createdAt: Date {
        get { self[field: \.createdAt] }
        set { self[field: \.createdAt] = newValue }
    }
    /// When it started running.
    public var startedAt: Date? {
        get { self[field: \.startedAt] }
        set { self[field: \.startedAt] = newValue }
    }
    /// When it finished.
    public var finishedAt: Date? {
        get { self[field: \.finishedAt] }
        set { self[field: \.finishedAt] = newValue }
    }
    /// Its exit code, once finished.
    public var exitCode: Int? {
        get { self[field: \.exitCode] }
        set { self[field: \.exitCode] = newValue }
    }
    /// Why it ended.
    public var terminationReason: TerminationReason? {
        get { self[field: \.terminationReason] }
        set { self[field: \.terminationReason] = newValue }
    }
    /// The fleet in its `porter-fleet/fleet` tag.
    public var fleet: String? { box.fields.fleet }
    /// The logical name in its `porter-fleet/name` tag.
    public var logicalName: String? { box.fields.logicalName }
    /// The generation in its `porter-fleet/generation` tag.
    public var generation: Int? { box.fields.generation }
    /// The spec hash in its `porter-fleet/spec-hash` tag.
    public var specHash: String? { box.fields.specHash }

    /// Whether `fleet` owns this sandbox: its fleet tag, a logical name and a generation. A sandbox with
    /// the fleet tag alone was not created by porter-fleet and is never terminated by it.
    public func isOwned(by fleet: String) -> Bool {
        self.fleet == fleet && logicalName?.isEmpty == false && generation != nil
    }
}

/// A volume as the reconciler observes it.
public struct ObservedVolume: Sendable, Equatable {
    /// The API id.
    public var id: String
    /// Its name.
    public var name: String
    /// Its phase.
    public var phase: VolumePhase
    /// Sandboxes attached to it.
    public var attachedTo: [String]

    /// Creates an observation.
    public init(id: String, name: String, phase: VolumePhase, attachedTo: [String]) {
        self.id = id
        self.name = name
        self.phase = phase
        self.attachedTo = attachedTo
    }
}

/// The reconciler's only way to the Sandbox API: a seam so that the logic can be tested with a fake and
/// run against Porter or the local API through the SDK.
public protocol SandboxBackend: Sendable {
    /// The live (`queued`, `creating`, `running`) sandboxes carrying every tag given, all pages.
    func liveSandboxes(tags: [String: String]) async throws -> [ObservedSandbox]
    /// The same sandboxes, with a fingerprint of the API's answer when the backend can tell one.
    func liveListing(tags: [String: String]) async throws -> LiveListing
    /// The ended (`succeeded`, `failed`, `terminated`) sandboxes carrying every tag given, all pages: the
    /// history the API keeps, read when the store has none.
    func endedSandboxes(tags: [String: String]) async throws -> [ObservedSandbox]
    /// One sandbox by id; nil when it does not exist.
    func sandbox(id: String) async throws -> ObservedSandbox?
    /// One sandbox by name; nil when there is none.
    func sandbox(named name: String) async throws -> ObservedSandbox?
    /// Creates a sandbox; returns its id. Throws ``PorterError`` (conflict when the name is taken).
    func createSandbox(_ spec: SandboxSpec) async throws -> String
    /// Terminates a sandbox; a missing or terminal one is fine.
    func terminateSandbox(id: String) async throws
    /// Every volume.
    func volumes() async throws -> [ObservedVolume]
    /// Creates a disk volume; returns it.
    func createVolume(name: String) async throws -> ObservedVolume
    /// Deletes a volume; a missing one is fine.
    func deleteVolume(id: String) async throws
}

extension SandboxBackend {
    /// The live sandboxes without a fingerprint: every pass plans in full.
    public func liveListing(tags: [String: String]) async throws -> LiveListing {
        LiveListing(sandboxes: try await liveSandboxes(tags: tags))
    }
}

/// The ownership tags every sandbox porter-fleet creates carries (docs/design-decisions.md, "Ownership tags").
public enum OwnershipTags {
    /// The fleet id.
    public static let fleet = "porter-fleet/fleet"
    /// The logical name.
    public static let name = "porter-fleet/name"
    /// The generation.
    public static let generation = "porter-fleet/generation"
    /// The spec hash.
    public static let specHash = "porter-fleet/spec-hash"
    /// The four of them.
    public static let all: Set<String> = [fleet, name, generation, specHash]
}
