/// The manifest format, described once: `porter-fleet explain` reads it, `docs/manifest.schema.json` is
/// generated from it (editors validate YAML with that file), and a test keeps it in step with the model's
/// field names.
public enum ManifestSchema {
    /// A sandbox's fields (of a Sandbox, and of a SandboxSet's template).
    public static let sandboxTemplate = SchemaNode.object(
        "What runs: the create request sent for every generation.",
        fields: [
            ("image", .string("The container image (give it or snapshot_id).", maxLength: ManifestRules.maximumImageLength)),
            ("snapshot_id", .string("A snapshot to start from instead of an image.")),
            ("command", .list("The command (entrypoint override).", of: .string("One word."))),
            ("args", .list("Arguments to the command.", of: .string("One argument."))),
            ("env", .map("Environment variables.", of: .string("The value."))),
            ("env_groups", .list("Porter environment groups to inject.", of: .string("A group name."))),
            ("volume_mounts", .map("Absolute mount path → name of a Volume declared in the desired state.", of: .string("A Volume's name."))),
            ("networking", .list("Ports to expose.", of: networking)),
            ("egress", .object("Outbound allow-list.", fields: [("allowed_destinations", .list("The only destinations allowed.", of: .string("A host, CIDR or service.")))], required: ["allowed_destinations"])),
            ("resources", .object("CPU and memory as Kubernetes quantities.", fields: [("cpu", .string("Cores or millicores, e.g. 500m.")), ("memory", .string("Memory, e.g. 512Mi."))])),
            ("ttl_seconds", .integer("Seconds before the sandbox is terminated (ttl_expired).", minimum: 1, maximum: ManifestRules.maximumTTLSeconds)),
            ("restart_policy", .choice("When an ended generation is replaced: always (default), on_failure, never.", RestartPolicy.allCases.map(\.rawValue))),
        ])

    static let networking = SchemaNode.object(
        "A port to expose.",
        fields: [
            ("port", .integer("The port the workload listens on.", minimum: 1, maximum: 65_535)),
            ("domains", .list("Hostnames to serve it on.", of: .object("A hostname.", fields: [("domain", .string("The hostname.")), ("visibility", .choice("Who may reach it.", ["public", "private"]))]), maxItems: 1)),
            ("internal", .boolean("Cluster-only exposure (not with domains).")),
        ], required: ["port"])

    /// Each kind's `spec`.
    public static func spec(of kind: ResourceKind) -> SchemaNode {
        switch kind {
        case .sandbox: sandboxTemplate
        case .sandboxSet:
            .object(
                "Replicas of one template: logical sandboxes NAME-0 … NAME-(replicas-1).",
                fields: [
                    ("replicas", .integer("How many.", minimum: 0, maximum: ManifestRules.maximumReplicas)),
                    ("template", sandboxTemplate),
                ], required: ["replicas", "template"])
        case .volume:
            .object(
                "Persistent storage, mounted by name.",
                fields: [
                    ("deletion_policy", .choice("What happens when it is no longer desired: retain (default) or delete.", DeletionPolicy.allCases.map(\.rawValue))),
                    ("adopt", .boolean("Use an existing volume of this name that porter-fleet did not create (never deleted).")),
                ])
        }
    }

    /// A whole manifest of `kind`.
    public static func manifest(of kind: ResourceKind) -> SchemaNode {
        .object(
            "A \(kind.rawValue) of the desired state.",
            fields: [
                ("apiVersion", .choice("The format's version.", ["porter-fleet/v1"])),
                ("kind", .choice("The kind.", [kind.rawValue])),
                ("name", .string("The name: lowercase letters, digits and '-'.", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63)),
                ("tags", .map("Tags, copied to every sandbox (selectable with -l).", of: .string("The value.", maxLength: 63))),
                ("spec", spec(of: kind)),
            ], required: kind == .volume ? ["apiVersion", "kind", "name"] : ["apiVersion", "kind", "name", "spec"])
    }

    /// The JSON Schema of a manifest document (any kind), as a JSON-compatible value.
    public static var jsonSchema: [String: any Sendable] {
        [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "porter-fleet manifest",
            "description": "One document of a porter-fleet manifest file: a Sandbox, a SandboxSet or a Volume.",
            "oneOf": ResourceKind.allCases.sorted { $0.rawValue < $1.rawValue }.map { manifest(of: $0).jsonSchema },
        ]
    }
}
