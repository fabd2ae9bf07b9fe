import WireFormats

/// The manifest format, described once: `apply` validates manifests by it, `porter-fleet explain` prints
/// it and `docs/manifest.schema.json` is generated from it (editors validate YAML with that file). Field
/// names come from the model's coding keys, and the Sandbox API's own limits from ``SandboxSpecRules`` and
/// ``SandboxTagRules``, so none of them is stated twice.
public enum ManifestSchema {
    typealias Key = SandboxTemplate.CodingKeys

    /// A sandbox's fields (of a Sandbox, and of a SandboxSet's template).
    public static let sandboxTemplate = SchemaNode.object(
        "What runs: the create request sent for every generation.",
        [
            SchemaField(Key.image, .string(
                "The container image, a tag or a digest (give it or snapshot_id).",
                StringConstraints(minimumLength: 1, maximumLength: ManifestRules.maximumImageLength,
                                  lengthNote: "an image reference has at most \(ManifestRules.maximumImageLength) characters"))),
            SchemaField(Key.snapshotID, .string("A snapshot to start from instead of an image.", StringConstraints(minimumLength: 1))),
            SchemaField(Key.command, .list("The command (entrypoint override).", of: .string("One word."))),
            SchemaField(Key.args, .list("Arguments to the command.", of: .string("One argument."))),
            SchemaField(Key.env, .map("Environment variables.", keys: ManifestRules.envName, of: .text("The value; numbers and booleans are taken as text."))),
            SchemaField(Key.envGroups, .list("Porter environment groups to inject.", of: .string("A group name."))),
            SchemaField(Key.volumeMounts, .map(
                "Absolute mount path → name of a Volume.", keys: SandboxSpecRules.mountPath,
                of: .string("A Volume's name.", StringConstraints(rule: SandboxSpecRules.dnsLabel)),
                applyOnly: ["each Volume is declared in the same apply or is already in the desired state"])),
            SchemaField(Key.networking, .list("Ports to expose.", of: networking, maxItems: SandboxSpecRules.maximumNetworkingEntries)),
            SchemaField(Key.egress, .object(
                "Outbound allow-list.",
                [SchemaField(SandboxTemplate.Egress.CodingKeys.allowedDestinations, .list("The only destinations allowed (empty blocks all).", of: .string("A host, *.domain, IP, CIDR or service.")), required: true)])),
            SchemaField(Key.resources, .object(
                "CPU and memory the sandbox may use, as Kubernetes quantities.",
                [
                    SchemaField(SandboxTemplate.Resources.CodingKeys.cpu, quantity("Cores, e.g. 500m, 2 or 0.5.")),
                    SchemaField(SandboxTemplate.Resources.CodingKeys.memory, quantity("Bytes, e.g. 512Mi, 1Gi, 1G or 1e9.")),
                ])),
            SchemaField(Key.ttlSeconds, .integer("Seconds before the sandbox is terminated (ttl_expired); at most ten years.", 1...ManifestRules.maximumTTLSeconds)),
            SchemaField(Key.restartPolicy, .choice("When an ended generation is replaced: always (default), on_failure, never.", RestartPolicy.self)),
        ],
        rules: [.exactlyOne(Key.image.stringValue, Key.snapshotID.stringValue)])

    /// A Kubernetes quantity, written as text or as a YAML number.
    static func quantity(_ summary: String) -> SchemaNode {
        .text(
            summary, StringConstraints(rule: SandboxSpecRules.quantity), numbers: .positive, booleans: false,
            applyOnly: ["a YAML number is read by its text, as written (0x10, .inf and 1e-400 are not quantities)"])
    }

    typealias NetworkingKey = SandboxTemplate.Networking.CodingKeys
    typealias DomainKey = SandboxTemplate.Networking.Domain.CodingKeys

    static let networking = SchemaNode.object(
        "A port to expose.",
        [
            SchemaField(NetworkingKey.port, .integer("The port the workload listens on (privileged ports are not allowed).", SandboxSpecRules.ports), required: true),
            SchemaField(NetworkingKey.domains, .list(
                "Hostnames to serve it on.",
                of: .object("A hostname.", [
                    SchemaField(DomainKey.domain, .string("The hostname.")),
                    SchemaField(DomainKey.visibility, .choice("Who may reach it.", ["public", "private"])),
                ]),
                maxItems: SandboxSpecRules.maximumNetworkingEntries)),
            SchemaField(NetworkingKey.internal, .boolean("Cluster-only exposure (not with domains).")),
        ],
        rules: [.flagExcludesList(flag: NetworkingKey.internal.stringValue, list: NetworkingKey.domains.stringValue)])

    /// Each kind's `spec`.
    public static func spec(of kind: ResourceKind) -> SchemaNode {
        switch kind {
        case .sandbox: sandboxTemplate
        case .sandboxSet:
            .object(
                "Replicas of one template: logical sandboxes NAME-0 … NAME-(replicas-1).",
                [
                    SchemaField(SandboxSetSpec.CodingKeys.replicas, .integer("How many.", 0...ManifestRules.maximumReplicas), required: true),
                    SchemaField(SandboxSetSpec.CodingKeys.template, sandboxTemplate, required: true),
                ])
        case .volume:
            .object(
                "Persistent storage, mounted by name.",
                [
                    SchemaField(VolumeSpecification.CodingKeys.deletionPolicy, .choice("What happens when it is no longer desired: retain (default) or delete.", DeletionPolicy.self)),
                    SchemaField(VolumeSpecification.CodingKeys.adopt, .boolean("Use an existing volume of this name that porter-fleet did not create (never deleted).")),
                ],
                nullable: true)
        }
    }

    /// A manifest's name for `kind`: a DNS label, short enough for the suffixes of actual sandbox names.
    static func name(of kind: ResourceKind) -> SchemaNode {
        let limit = ManifestRules.maximumNameLength(kind: kind, namePrefix: "", replicas: 10)
        var applyOnly = ["the fleet's name_prefix shortens the limit by its own length"]
        var room = "the fleet's name prefix and the generation suffix"
        switch kind {
        case .sandbox: break
        case .sandboxSet:
            applyOnly.insert("with more than 10 replicas the limit is one less for each further digit of replicas-1 (52 up to 100 replicas)", at: 0)
        case .volume:
            room = "the fleet's name prefix"
            applyOnly.insert(
                "in a store with scoped volume names (every new store) the limit is \(limit - VolumeNaming.scopeLength), "
                    + "leaving room for the fleet's volume scope; this schema states the limit of plain volume names", at: 0)
        }
        return .string(
            "The logical name, stable forever: lowercase letters, digits and '-'.",
            StringConstraints(maximumLength: limit, lengthNote: "a \(kind.rawValue) name may have at most \(limit), leaving room for \(room)", rule: SandboxSpecRules.dnsLabel),
            applyOnly: applyOnly)
    }

    /// The tags of a manifest, put on every sandbox it makes.
    static let tags = SchemaNode.map(
        "Tags, copied to every sandbox (selectable with -l).",
        keys: ManifestRules.tagKey,
        of: .text(
            "The value; numbers and booleans are taken as text.",
            StringConstraints(maximumLength: SandboxTagRules.maximumNameLength, lengthNote: "a tag value has at most \(SandboxTagRules.maximumNameLength) characters", rule: SandboxTagRules.value),
            applyOnly: ["a YAML number counts by its text, as written"]),
        maxEntries: ManifestRules.maximumTagCount)

    /// A whole manifest of `kind`, or of an unknown kind (only its envelope is checked then).
    public static func manifest(of kind: ResourceKind?) -> SchemaNode {
        switch kind {
        case .sandbox: sandboxManifest
        case .sandboxSet: sandboxSetManifest
        case .volume: volumeManifest
        case nil: anyManifest
        }
    }

    // Built once: every document is checked against one of them.
    static let sandboxManifest = makeManifest(of: .sandbox)
    static let sandboxSetManifest = makeManifest(of: .sandboxSet)
    static let volumeManifest = makeManifest(of: .volume)
    static let anyManifest = makeManifest(of: nil)

    static func makeManifest(of kind: ResourceKind?) -> SchemaNode {
        typealias Field = Manifest.EnvelopeKeys
        let kinds = kind.map { [$0] } ?? ResourceKind.allCases
        return .object(
            kind.map { "A \($0.rawValue) of the desired state." } ?? "A resource of the desired state.",
            [
                SchemaField(Field.apiVersion, .choice("The format's version.", [ManifestParser.apiVersion]), required: true),
                SchemaField(Field.kind, .choice("The kind.", kinds.map(\.rawValue)), required: true),
                SchemaField(Field.name, name(of: kind ?? .volume), required: true),
                SchemaField(Field.tags, tags),
                SchemaField(Field.spec, kind.map(spec(of:)) ?? SchemaNode("The kind's spec.", .anything), required: kind != nil && kind != .volume),
                SchemaField(Field.status, SchemaNode("What the controller last observed, as get -o yaml prints it; apply ignores it.", .anything)),
            ])
    }

    /// Rules across documents and files, which `apply` checks and no schema of one document can.
    public static let documentRules = [
        "a kind and name are declared once across all files applied together",
        "a file is at most 64 MiB and a resource at most 1 MiB, YAML aliases counted as the text they repeat",
    ]

    /// The JSON Schema of a manifest document (any kind, or a list of them), as a JSON-compatible value.
    public static var jsonSchema: [String: any Sendable] {
        let kinds = ResourceKind.allCases.sorted { $0.rawValue < $1.rawValue }
        var definitions: [String: any Sendable] = [:]
        for kind in kinds { definitions[kind.rawValue] = manifest(of: kind).jsonSchema }
        let references: [[String: any Sendable]] = kinds.map { ["$ref": "#/$defs/\($0.rawValue)"] }
        let list: [String: any Sendable] = [
            "type": "array", "description": "Several resources in one document (as export -o json writes them).",
            "items": ["oneOf": references] as [String: any Sendable],
        ]
        return [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "porter-fleet manifest",
            "description": "One document of a porter-fleet manifest file: a Sandbox, a SandboxSet or a Volume, or a list of them. "
                + "Checked by porter-fleet apply, beyond this schema: " + documentRules.joined(separator: "; ") + ".",
            "$defs": definitions,
            "oneOf": references + [list],
        ]
    }
}
