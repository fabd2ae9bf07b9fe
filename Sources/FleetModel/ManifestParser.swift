import Foundation
import Synchronization
import WireFormats
import Yams

/// Reads manifests (docs/manifests.md) from YAML, multi-document, or JSON, reporting every problem with its
/// file, line and column. Unknown fields are errors with a "did you mean" hint.
public enum ManifestParser {
    /// The API version every manifest declares.
    public static let apiVersion = "porter-fleet/v1"
    /// Manifests larger than this are refused before parsing, and so are smaller ones whose YAML aliases
    /// expand past it (each alias counts as the text it repeats).
    public static let maximumFileSize = 64 << 20
    /// The most one resource may hold (its name, tags and spec), counted as its YAML text with aliases
    /// expanded: each value's text plus one per value.
    public static let maximumResourceSize = 1 << 20

    /// Texts at least this large are read in two halves at once, split at a document marker.
    static let parallelThreshold = 256 << 10

    /// The manifests in `text`, read from `file`; throws ``ManifestErrors`` listing every problem.
    ///
    /// A large multi-document text is split at a `---` line near its middle and both halves are read at
    /// once (YAML forbids a document marker at the start of a line inside a document, so the halves are
    /// whole documents). Any problem sends the whole text through the one-pass reader, so errors and their
    /// positions are exactly those of reading it in one go.
    public static func parse(_ text: String, file: String) throws(ManifestErrors) -> [Manifest] {
        try YAMLExpansionGuard.check(text, file: file, limits: .init(file: maximumFileSize, resource: maximumResourceSize))
        guard text.utf8.count >= parallelThreshold, let (first, second, lineOffset) = halves(of: text) else {
            return try parseWhole(text, file: file)
        }
        let results = Mutex<[Int: Result<[Manifest], ManifestErrors>]>([:])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let result = Result { () throws(ManifestErrors) -> [Manifest] in try parseWhole(index == 0 ? first : second, file: file) }
            results.withLock { $0[index] = result }
        }
        let both = results.withLock { $0 }
        guard case .success(let head)? = both[0], case .success(var tail)? = both[1] else { return try parseWhole(text, file: file) }
        for index in tail.indices { tail[index].location.line += lineOffset }
        return head + tail
    }

    /// `text` split at the start of a `---` line near its middle: the halves, and the lines of the first.
    static func halves(of text: String) -> (String, String, Int)? {
        let utf8 = text.utf8
        var index = utf8.index(utf8.startIndex, offsetBy: utf8.count / 2)
        let marker = Array("\n---".utf8)
        while index < utf8.endIndex {
            guard let found = utf8[index...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            let after = utf8.index(after: found)
            if utf8[found...].starts(with: marker) {
                let end = utf8.index(after, offsetBy: 3, limitedBy: utf8.endIndex) ?? utf8.endIndex
                if end == utf8.endIndex || [UInt8(ascii: "\n"), UInt8(ascii: " "), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains(utf8[end]) {
                    let first = String(text[..<after])
                    let lines = first.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
                    return (first, String(text[after...]), lines)
                }
            }
            index = after
        }
        return nil
    }

    /// The one-pass reader.
    static func parseWhole(_ text: String, file: String) throws(ManifestErrors) -> [Manifest] {
        var errors: [ManifestError] = []
        var manifests: [Manifest] = []
        var documents: [Node] = []
        do {
            // compose_all yields documents lazily and keeps a parse error aside instead of throwing it.
            // The basic resolver skips Yams' regular-expression tag resolution; ScalarKind types plain
            // scalars itself (YAML 1.2 core schema), which is several times faster on large files.
            var sequence = try Yams.compose_all(yaml: text, .basic)
            while let document = sequence.next() { documents.append(document) }
            if let error = sequence.error { throw error }
        } catch {
            throw ManifestErrors([yamlError(error, file: file)])
        }
        let nonEmpty = documents.filter { !isNull($0) }
        if nonEmpty.isEmpty {
            throw ManifestErrors([ManifestError(SourceLocation(file: file, line: 1, column: 1), "no manifests: the file is empty")])
        }
        for document in nonEmpty {
            // A list document (as `export -o json` writes) holds several manifests.
            let items: [Node] = if case .sequence(let sequence) = document { Array(sequence) } else { [document] }
            for item in items {
                var reader = NodeReader(file: file)
                if let manifest = reader.manifest(item) { manifests.append(manifest) }
                errors += reader.errors
            }
        }
        guard errors.isEmpty else { throw ManifestErrors(errors) }
        return manifests
    }

    /// The manifests in raw bytes, refusing binary and oversized input.
    public static func parse(data: Data, file: String) throws(ManifestErrors) -> [Manifest] {
        let start = SourceLocation(file: file, line: 1, column: 1)
        guard data.count <= maximumFileSize else {
            throw ManifestErrors([ManifestError(start, "the file is larger than \(maximumFileSize >> 20) MiB")])
        }
        guard !data.contains(0), let text = String(data: data, encoding: .utf8) else {
            throw ManifestErrors([ManifestError(start, "the file is not UTF-8 text (is it a binary file?)")])
        }
        return try parse(text, file: file)
    }

    static func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node { return ScalarKind(scalar) == .null }
        return false
    }

    static func yamlError(_ error: any Error, file: String) -> ManifestError {
        switch error {
        case YamlError.scanner(let context, let problem, let mark, _),
            YamlError.parser(let context, let problem, let mark, _),
            YamlError.composer(let context, let problem, let mark, _):
            let where_ = context.map { " \($0.text)" } ?? ""
            return ManifestError(SourceLocation(file: file, line: mark.line, column: mark.column), "invalid YAML: \(problem)\(where_)")
        case YamlError.duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return ManifestError(
                SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                "\(keys) is given twice in the same mapping")
        case YamlError.reader(let problem, _, _, _):
            return ManifestError(SourceLocation(file: file, line: 1, column: 1), "invalid YAML: \(problem)")
        default:
            return ManifestError(SourceLocation(file: file, line: 1, column: 1), "invalid YAML: \(error)")
        }
    }
}

/// Walks one YAML document, collecting errors instead of stopping at the first.
struct NodeReader {
    let file: String
    var errors: [ManifestError] = []

    init(file: String) { self.file = file }

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
    }

    mutating func fail(_ node: Node, _ message: String) {
        errors.append(ManifestError(location(node), message))
    }

    /// The pairs of a mapping node, checking keys are known strings; nil (with an error) otherwise.
    mutating func fields(_ node: Node, of what: String, known: [String], required: [String] = []) -> [String: (key: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            fail(node, "\(what) must be a mapping, not \(describe(node))")
            return nil
        }
        var fields: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                fail(key, "\(what): keys must be strings")
                continue
            }
            let name = scalar.string
            if fields[name] != nil {
                fail(key, "\(what): '\(name)' is given twice")
                continue
            }
            guard known.contains(name) else {
                fail(key, "\(what): unknown field '\(name)'\(NameSuggestion.hint(for: name, in: known))")
                continue
            }
            fields[name] = (key, value)
        }
        for name in required where fields[name] == nil {
            fail(node, "\(what): '\(name)' is required")
        }
        return fields
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            switch ScalarKind(scalar) {
            case .null: return "null"
            case .integer, .float: return "a number (\(scalar.string))"
            case .boolean: return "a boolean (\(scalar.string))"
            case .string: return "a string ('\(scalar.string)')"
            }
        default: return "an alias"
        }
    }

    /// A string: a YAML string scalar (quoted, or plain text that is not a number, boolean or null).
    mutating func string(_ node: Node, _ what: String) -> String? {
        if case .scalar(let scalar) = node, ScalarKind(scalar) == .string { return refusingNUL(scalar.string, node, what) }
        fail(node, "\(what) must be a string, not \(describe(node))")
        return nil
    }

    /// A scalar taken as text: strings, numbers and booleans (for env values, tags and quantities).
    mutating func text(_ node: Node, _ what: String) -> String? {
        if case .scalar(let scalar) = node, ScalarKind(scalar) != .null { return refusingNUL(scalar.string, node, what) }
        fail(node, "\(what) must be a string, not \(describe(node))")
        return nil
    }

    /// `value`, unless it holds a NUL byte (`"\0"` in YAML), which the Sandbox API refuses.
    mutating func refusingNUL(_ value: String, _ node: Node, _ what: String) -> String? {
        guard SandboxTagRules.containsNUL(value) else { return value }
        fail(node, "\(what) contains a NUL byte, which a process cannot receive (the Sandbox API refuses it)")
        return nil
    }

    mutating func integer(_ node: Node, _ what: String) -> Int? {
        if case .scalar(let scalar) = node, ScalarKind(scalar) == .integer, let value = ScalarKind.integerValue(scalar.string) {
            return value
        }
        if case .scalar(let scalar) = node, ScalarKind(scalar) == .integer {
            fail(node, "\(what) is too large: \(scalar.string)")
            return nil
        }
        fail(node, "\(what) must be an integer, not \(describe(node))")
        return nil
    }

    mutating func boolean(_ node: Node, _ what: String) -> Bool? {
        if case .scalar(let scalar) = node, ScalarKind(scalar) == .boolean { return ["true", "True", "TRUE"].contains(scalar.string) }
        fail(node, "\(what) must be true or false, not \(describe(node))")
        return nil
    }

    mutating func strings(_ node: Node, _ what: String) -> [String]? {
        guard case .sequence(let sequence) = node else {
            fail(node, "\(what) must be a list of strings, not \(describe(node))")
            return nil
        }
        var values: [String] = []
        var ok = true
        for (index, item) in sequence.enumerated() {
            if let value = string(item, "\(what)[\(index)]") { values.append(value) } else { ok = false }
        }
        return ok ? values : nil
    }

    mutating func stringMap(_ node: Node, _ what: String, valuesAsText: Bool = true) -> [String: String]? {
        guard case .mapping(let mapping) = node else {
            fail(node, "\(what) must be a mapping of strings, not \(describe(node))")
            return nil
        }
        var values: [String: String] = [:]
        var ok = true
        for (key, value) in mapping {
            guard let name = text(key, "\(what) keys") else {
                ok = false
                continue
            }
            if values[name] != nil {
                fail(key, "\(what): '\(name)' is given twice")
                ok = false
                continue
            }
            let read = valuesAsText ? text(value, "\(what).\(name)") : string(value, "\(what).\(name)")
            if let read { values[name] = read } else { ok = false }
        }
        return ok ? values : nil
    }

    mutating func enumeration<E: RawRepresentable & CaseIterable>(_ node: Node, _ what: String, as: E.Type) -> E? where E.RawValue == String {
        guard let raw = string(node, what) else { return nil }
        if let value = E(rawValue: raw) { return value }
        let known = E.allCases.map(\.rawValue)
        fail(node, "\(what) '\(raw)' is not one of \(known.joined(separator: ", "))\(NameSuggestion.hint(for: raw, in: known))")
        return nil
    }

    // MARK: Manifests

    mutating func manifest(_ node: Node) -> Manifest? {
        let topFields = ["apiVersion", "kind", "name", "tags", "spec"]
        guard let fields = fields(node, of: "manifest", known: topFields, required: ["apiVersion", "kind", "name"]) else {
            return nil
        }
        if let version = fields["apiVersion"], let value = string(version.value, "apiVersion"), value != ManifestParser.apiVersion {
            fail(version.value, "apiVersion '\(value)' is not supported (use '\(ManifestParser.apiVersion)')")
        }
        var kind: ResourceKind?
        if let kindField = fields["kind"], let raw = string(kindField.value, "kind") {
            kind = ResourceKind(rawValue: raw)
            if kind == nil {
                let known = ResourceKind.allCases.map(\.rawValue)
                fail(kindField.value, "unknown kind '\(raw)' (known: \(known.joined(separator: ", ")))\(NameSuggestion.hint(for: raw, in: known))")
            }
        }
        let name = fields["name"].flatMap { string($0.value, "name") }
        if let name, let field = fields["name"], !ManifestRules.isDNSLabel(name) {
            fail(field.value, "name '\(name)' must be 1–63 lowercase letters, digits and '-', starting and ending with a letter or digit")
        }
        let tags = fields["tags"].flatMap { stringMap($0.value, "tags") } ?? [:]
        if let tagsField = fields["tags"] { validateTags(tags, at: tagsField.value) }
        guard let kind, let name else { return nil }
        let specField = fields["spec"]
        if specField == nil && kind != .volume {
            fail(node, "manifest: 'spec' is required for a \(kind.rawValue)")
            return nil
        }
        let spec: ResourceSpec?
        switch kind {
        case .sandbox: spec = sandboxTemplate(specField!.value, "spec").map(ResourceSpec.sandbox)
        case .sandboxSet: spec = sandboxSet(specField!.value).map(ResourceSpec.sandboxSet)
        case .volume: spec = (specField.map { volume($0.value) } ?? VolumeSpecification()).map(ResourceSpec.volume)
        }
        guard let spec else { return nil }
        return Manifest(kind: kind, name: name, tags: tags, spec: spec, location: location(fields["name"]!.value))
    }

    /// The Sandbox API's tag rules (``SandboxTagRules``), with room left for the ownership tags.
    mutating func validateTags(_ tags: [String: String], at node: Node) {
        if tags.count > ManifestRules.maximumTagCount {
            fail(node, "tags: \(tags.count) tags given; at most \(ManifestRules.maximumTagCount) (a sandbox has at most \(SandboxTagRules.maximumCount), \(ManifestRules.ownershipTagCount) of them porter-fleet's)")
        }
        for (key, value) in tags.sorted(by: { $0.key < $1.key }) {
            if key.hasPrefix("porter-fleet/") {
                fail(node, "tags: '\(key)' uses the reserved prefix 'porter-fleet/'")
            } else if let problem = SandboxTagRules.problem(key: key, value: value) {
                fail(node, "tags: \(problem)")
            }
        }
    }

    mutating func sandboxSet(_ node: Node) -> SandboxSetSpec? {
        guard let fields = fields(node, of: "spec", known: ["replicas", "template"], required: ["replicas", "template"]) else {
            return nil
        }
        var replicas = fields["replicas"].flatMap { integer($0.value, "spec.replicas") }
        if let value = replicas, value < 0, let field = fields["replicas"] {
            fail(field.value, "spec.replicas must be 0 or more, not \(value)")
            replicas = nil
        }
        if let value = replicas, value > ManifestRules.maximumReplicas, let field = fields["replicas"] {
            fail(field.value, "spec.replicas must be at most \(ManifestRules.maximumReplicas), not \(value)")
            replicas = nil
        }
        let template = fields["template"].flatMap { sandboxTemplate($0.value, "spec.template") }
        guard let replicas, let template else { return nil }
        return SandboxSetSpec(replicas: replicas, template: template)
    }

    mutating func volume(_ node: Node) -> VolumeSpecification? {
        if ManifestParser.isNull(node) { return VolumeSpecification() }
        guard let fields = fields(node, of: "spec", known: VolumeSpecification.fieldNames) else { return nil }
        var spec = VolumeSpecification()
        var ok = true
        if let field = fields["deletion_policy"] {
            spec.deletionPolicy = enumeration(field.value, "spec.deletion_policy", as: DeletionPolicy.self)
            ok = ok && spec.deletionPolicy != nil
        }
        if let field = fields["adopt"] {
            spec.adopt = boolean(field.value, "spec.adopt")
            ok = ok && spec.adopt != nil
        }
        return ok ? spec : nil
    }

    mutating func sandboxTemplate(_ node: Node, _ what: String) -> SandboxTemplate? {
        guard let fields = fields(node, of: what, known: SandboxTemplate.fieldNames) else { return nil }
        let errorCount = errors.count
        var template = SandboxTemplate()
        if let field = fields["image"] {
            template.image = string(field.value, "\(what).image")
            if let image = template.image, image.count > ManifestRules.maximumImageLength {
                fail(field.value, "\(what).image is \(image.count) characters; an image reference has at most \(ManifestRules.maximumImageLength)")
            }
        }
        if let field = fields["snapshot_id"] { template.snapshotID = string(field.value, "\(what).snapshot_id") }
        if let field = fields["command"] { template.command = strings(field.value, "\(what).command") }
        if let field = fields["args"] { template.args = strings(field.value, "\(what).args") }
        if let field = fields["env"] {
            template.env = stringMap(field.value, "\(what).env")
            for key in (template.env ?? [:]).keys.sorted() where !ManifestRules.isEnvName(key) {
                fail(field.value, "\(what).env: '\(key)' is not a valid variable name (letters, digits and _, not starting with a digit)")
            }
        }
        if let field = fields["env_groups"] { template.envGroups = strings(field.value, "\(what).env_groups") }
        if let field = fields["volume_mounts"] {
            template.volumeMounts = stringMap(field.value, "\(what).volume_mounts", valuesAsText: false)
            for path in (template.volumeMounts ?? [:]).keys.sorted() where !ManifestRules.isMountPath(path) {
                fail(field.value, "\(what).volume_mounts: '\(path)' must be an absolute path below / without '..'")
            }
        }
        if let field = fields["networking"] { template.networking = networking(field.value, "\(what).networking") }
        if let field = fields["egress"],
            let egress = self.fields(field.value, of: "\(what).egress", known: ["allowed_destinations"], required: ["allowed_destinations"]),
            let destinations = egress["allowed_destinations"].flatMap({ strings($0.value, "\(what).egress.allowed_destinations") })
        {
            template.egress = .init(allowedDestinations: destinations)
        }
        if let field = fields["resources"], let resources = self.fields(field.value, of: "\(what).resources", known: ["cpu", "memory"]) {
            template.resources = .init(
                cpu: resources["cpu"].flatMap { text($0.value, "\(what).resources.cpu") },
                memory: resources["memory"].flatMap { text($0.value, "\(what).resources.memory") })
        }
        if let field = fields["ttl_seconds"], let ttl = integer(field.value, "\(what).ttl_seconds") {
            if !(1...ManifestRules.maximumTTLSeconds).contains(ttl) {
                fail(field.value, "\(what).ttl_seconds must be between 1 and \(ManifestRules.maximumTTLSeconds) (ten years), not \(ttl)")
            } else {
                template.ttlSeconds = ttl
            }
        }
        if let field = fields["restart_policy"] {
            template.restartPolicy = enumeration(field.value, "\(what).restart_policy", as: RestartPolicy.self)
        }
        let hasImage = !(template.image ?? "").isEmpty
        let hasSnapshot = !(template.snapshotID ?? "").isEmpty
        if !hasImage && !hasSnapshot && fields["image"] == nil { fail(node, "\(what): 'image' is required") }
        if hasImage && hasSnapshot { fail(fields["snapshot_id"]!.value, "\(what): give either image or snapshot_id, not both") }
        return errors.count == errorCount ? template : nil
    }

    mutating func networking(_ node: Node, _ what: String) -> [SandboxTemplate.Networking]? {
        guard case .sequence(let entries) = node else {
            fail(node, "\(what) must be a list, not \(describe(node))")
            return nil
        }
        if entries.count > 1 { fail(entries[1], "\(what): at most one entry is supported") }
        var result: [SandboxTemplate.Networking] = []
        for (index, entry) in entries.enumerated() {
            let path = "\(what)[\(index)]"
            guard let fields = fields(entry, of: path, known: ["port", "domains", "internal"], required: ["port"]),
                let portField = fields["port"], let port = integer(portField.value, "\(path).port")
            else { continue }
            if !(1024...65535).contains(port) { fail(portField.value, "\(path).port \(port) must be between 1024 and 65535") }
            var networking = SandboxTemplate.Networking(port: port)
            if let field = fields["internal"] { networking.internal = boolean(field.value, "\(path).internal") }
            if let field = fields["domains"] {
                guard case .sequence(let domains) = field.value else {
                    fail(field.value, "\(path).domains must be a list, not \(describe(field.value))")
                    continue
                }
                if domains.count > 1 { fail(domains[1], "\(path).domains: at most one entry is supported") }
                networking.domains = domains.enumerated().compactMap { domainIndex, domainNode in
                    guard let domainFields = self.fields(domainNode, of: "\(path).domains[\(domainIndex)]", known: ["domain", "visibility"]) else {
                        return nil
                    }
                    var domain = SandboxTemplate.Networking.Domain()
                    domain.domain = domainFields["domain"].flatMap { string($0.value, "\(path).domains[\(domainIndex)].domain") }
                    if let visibility = domainFields["visibility"] {
                        let value = string(visibility.value, "\(path).domains[\(domainIndex)].visibility")
                        if let value, !["public", "private"].contains(value) {
                            fail(visibility.value, "\(path).domains[\(domainIndex)].visibility '\(value)' is not one of public, private")
                        }
                        domain.visibility = value
                    }
                    return domain
                }
                if networking.internal == true, !(networking.domains ?? []).isEmpty {
                    fail(field.value, "\(path): internal cannot be combined with domains")
                }
            }
            result.append(networking)
        }
        return result
    }
}

/// The type of a YAML scalar under the YAML 1.2 core schema: quoted scalars are strings; plain ones
/// are null, booleans, integers or floats when they look like one, else strings.
enum ScalarKind: Equatable {
    case null
    case boolean
    case integer
    case float
    case string

    init(_ scalar: Node.Scalar) {
        guard scalar.style == .plain || scalar.style == .any else {
            self = .string
            return
        }
        let text = scalar.string
        switch text {
        case "", "~", "null", "Null", "NULL": self = .null
        case "true", "True", "TRUE", "false", "False", "FALSE": self = .boolean
        case ".inf", ".Inf", ".INF", "+.inf", "-.inf", "+.Inf", "-.Inf", ".nan", ".NaN", ".NAN": self = .float
        default:
            if Self.looksInteger(text) {
                self = .integer
            } else if Self.looksFloat(text) {
                self = .float
            } else {
                self = .string
            }
        }
    }

    /// `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+`.
    static func looksInteger(_ text: String) -> Bool {
        if text.hasPrefix("0x") { return text.count > 2 && text.utf8.dropFirst(2).allSatisfy { isHex($0) } }
        if text.hasPrefix("0o") { return text.count > 2 && text.utf8.dropFirst(2).allSatisfy { (48...55).contains($0) } }
        var bytes = Array(text.utf8)[...]
        if let first = bytes.first, first == 43 || first == 45 { bytes = bytes.dropFirst() }
        return !bytes.isEmpty && bytes.allSatisfy { (48...57).contains($0) }
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    static func looksFloat(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if let first = bytes.first, first == 43 || first == 45 { bytes = bytes.dropFirst() }
        var digits = 0
        while let byte = bytes.first, (48...57).contains(byte) {
            digits += 1
            bytes = bytes.dropFirst()
        }
        if bytes.first == 46 {
            bytes = bytes.dropFirst()
            while let byte = bytes.first, (48...57).contains(byte) {
                digits += 1
                bytes = bytes.dropFirst()
            }
        }
        guard digits > 0 else { return false }
        if let byte = bytes.first, byte == 101 || byte == 69 {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == 43 || sign == 45 { bytes = bytes.dropFirst() }
            guard !bytes.isEmpty, bytes.allSatisfy({ (48...57).contains($0) }) else { return false }
            return true
        }
        return bytes.isEmpty
    }

    static func integerValue(_ text: String) -> Int? {
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        if text.hasPrefix("0o") { return Int(text.dropFirst(2), radix: 8) }
        return Int(text.hasPrefix("+") ? String(text.dropFirst()) : text)
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte)
    }
}
