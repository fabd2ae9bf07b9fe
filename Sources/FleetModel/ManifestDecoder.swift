import Yams

/// Reads a manifest document that ``SchemaValidator`` found valid into the model. It checks nothing
/// itself: every rule is in ``ManifestSchema``, so the checks `apply` makes and the published JSON Schema
/// come from one description.
struct ManifestDecoder {
    let file: String

    /// The manifest of kind `kind` in the valid document `node`.
    func manifest(_ node: Node, kind: ResourceKind) -> Manifest {
        typealias Key = Manifest.EnvelopeKeys
        let fields = Self.fields(node)
        let nameNode = fields[Key.name.stringValue] ?? node
        let spec: ResourceSpec =
            switch kind {
            case .sandbox: .sandbox(template(fields[Key.spec.stringValue]))
            case .sandboxSet: .sandboxSet(sandboxSet(fields[Key.spec.stringValue]))
            case .volume: .volume(volume(fields[Key.spec.stringValue]))
            }
        return Manifest(
            kind: kind, name: Self.text(nameNode) ?? "", tags: fields[Key.tags.stringValue].map(Self.textMap) ?? [:], spec: spec,
            location: SourceLocation(file: file, line: nameNode.mark?.line ?? 0, column: nameNode.mark?.column ?? 0))
    }

    func template(_ node: Node?) -> SandboxTemplate {
        typealias Key = SandboxTemplate.CodingKeys
        let fields = Self.fields(node)
        func field(_ key: Key) -> Node? { fields[key.stringValue] }
        var template = SandboxTemplate()
        template.image = field(.image).flatMap(Self.text)
        template.snapshotID = field(.snapshotID).flatMap(Self.text)
        template.command = field(.command).map(Self.texts)
        template.args = field(.args).map(Self.texts)
        template.env = field(.env).map(Self.textMap)
        template.envGroups = field(.envGroups).map(Self.texts)
        template.volumeMounts = field(.volumeMounts).map(Self.textMap)
        template.networking = field(.networking).map { Self.items($0).map(networking) }
        template.egress = field(.egress).map { egress in
            .init(allowedDestinations: Self.fields(egress)[SandboxTemplate.Egress.CodingKeys.allowedDestinations.stringValue].map(Self.texts) ?? [])
        }
        template.resources = field(.resources).map { resources in
            typealias ResourceKey = SandboxTemplate.Resources.CodingKeys
            let values = Self.fields(resources)
            return .init(cpu: values[ResourceKey.cpu.stringValue].flatMap(Self.text), memory: values[ResourceKey.memory.stringValue].flatMap(Self.text))
        }
        template.ttlSeconds = field(.ttlSeconds).flatMap(Self.integer)
        template.restartPolicy = field(.restartPolicy).flatMap(Self.text).flatMap(RestartPolicy.init(rawValue:))
        return template
    }

    func networking(_ node: Node) -> SandboxTemplate.Networking {
        typealias Key = SandboxTemplate.Networking.CodingKeys
        typealias DomainKey = SandboxTemplate.Networking.Domain.CodingKeys
        let fields = Self.fields(node)
        var networking = SandboxTemplate.Networking(port: fields[Key.port.stringValue].flatMap(Self.integer) ?? 0)
        networking.internal = fields[Key.internal.stringValue].flatMap(Self.boolean)
        networking.domains = fields[Key.domains.stringValue].map { domains in
            Self.items(domains).map { domain in
                let values = Self.fields(domain)
                return .init(domain: values[DomainKey.domain.stringValue].flatMap(Self.text), visibility: values[DomainKey.visibility.stringValue].flatMap(Self.text))
            }
        }
        return networking
    }

    func sandboxSet(_ node: Node?) -> SandboxSetSpec {
        let fields = Self.fields(node)
        return SandboxSetSpec(
            replicas: fields[SandboxSetSpec.CodingKeys.replicas.stringValue].flatMap(Self.integer) ?? 0,
            template: template(fields[SandboxSetSpec.CodingKeys.template.stringValue]))
    }

    func volume(_ node: Node?) -> VolumeSpecification {
        let fields = Self.fields(node)
        return VolumeSpecification(
            deletionPolicy: fields[VolumeSpecification.CodingKeys.deletionPolicy.stringValue].flatMap(Self.text).flatMap(DeletionPolicy.init(rawValue:)),
            adopt: fields[VolumeSpecification.CodingKeys.adopt.stringValue].flatMap(Self.boolean))
    }

    // MARK: Scalars and collections of a valid document

    static func fields(_ node: Node?) -> [String: Node] {
        guard case .mapping(let mapping)? = node else { return [:] }
        var fields: [String: Node] = [:]
        for (key, value) in mapping { if case .scalar(let scalar) = key { fields[scalar.string] = value } }
        return fields
    }

    static func items(_ node: Node) -> [Node] {
        if case .sequence(let sequence) = node { return Array(sequence) }
        return []
    }

    static func text(_ node: Node) -> String? {
        if case .scalar(let scalar) = node { return scalar.string }
        return nil
    }

    static func texts(_ node: Node) -> [String] { items(node).compactMap(text) }

    static func textMap(_ node: Node) -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in fields(node) { values[key] = text(value) }
        return values
    }

    static func integer(_ node: Node) -> Int? {
        guard case .scalar(let scalar) = node, case .value(let value)? = ScalarKind.integerReading(scalar.string, kind: ScalarKind(scalar)) else { return nil }
        return value
    }

    static func boolean(_ node: Node) -> Bool? {
        guard case .scalar(let scalar) = node else { return nil }
        return ScalarKind.trueWords.contains(scalar.string)
    }
}
