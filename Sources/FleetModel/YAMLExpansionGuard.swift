internal import CYaml

/// Measures YAML before it is composed: every node counts its scalar text plus one, and every alias
/// (`*name`) counts what it stands for, so a document of a few kilobytes whose aliases repeat each
/// other (a "billion laughs") is measured at its expanded size without being expanded. Reading stops at
/// the first limit passed, so the count never grows past it: time and memory follow the text, not the
/// expansion.
///
/// Syntax errors are left to the composer, which reports them with their position.
struct YAMLExpansionGuard {
    /// What each YAML resource may hold, and what a whole file may.
    struct Limits {
        /// The most a file may expand to, aliases expanded.
        var file: Int
        /// The most one resource (a document, or an item of a list document) may expand to.
        var resource: Int
    }

    private struct Frame {
        var anchor: String?
        var size = 1
        var isSequence: Bool
        var isResource: Bool
        var line: Int
        var column: Int
    }

    /// Refuses `text` when its expansion passes `limits`, with the line and column where it does.
    static func check(_ text: String, file: String, limits: Limits) throws(ManifestErrors) {
        var text = text
        let problem: ManifestError? = text.withUTF8 { bytes in
            var scan = YAMLExpansionGuard(file: file, limits: limits)
            return scan.run(bytes)
        }
        if let problem { throw ManifestErrors([problem]) }
    }

    private let file: String
    private let limits: Limits
    private var anchors: [String: Int] = [:]
    private var stack: [Frame] = []
    private var total = 0

    private init(file: String, limits: Limits) {
        self.file = file
        self.limits = limits
    }

    private mutating func run(_ bytes: UnsafeBufferPointer<UInt8>) -> ManifestError? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
        var event = yaml_event_t()
        while yaml_parser_parse(&parser, &event) == 1 {
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1
            let column = Int(event.start_mark.column) + 1
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return nil
            case YAML_SCALAR_EVENT:
                let size = Int(event.data.scalar.length) + 1
                if let problem = add(size, anchor: Self.string(event.data.scalar.anchor), line: line, column: column) { return problem }
            case YAML_ALIAS_EVENT:
                guard let name = Self.string(event.data.alias.anchor), let size = anchors[name] else { continue }
                if let problem = add(size + 1, anchor: nil, line: line, column: column, alias: name) { return problem }
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let isSequence = event.type == YAML_SEQUENCE_START_EVENT
                let anchor = Self.string(isSequence ? event.data.sequence_start.anchor : event.data.mapping_start.anchor)
                // A list document is not a resource; its items are.
                let isResource = isResourceLevel && !(stack.isEmpty && isSequence)
                stack.append(Frame(anchor: anchor, isSequence: isSequence, isResource: isResource, line: line, column: column))
                total += 1
                if total > limits.file { return fileProblem(line: line, column: column) }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { continue }
                if let anchor = frame.anchor { anchors[anchor] = frame.size }
                if frame.isResource, frame.size > limits.resource { return resourceProblem(frame.size, line: frame.line, column: frame.column) }
                if !stack.isEmpty { stack[stack.count - 1].size += frame.size }
            default:
                continue
            }
        }
        return nil
    }

    /// Whether a node that starts now is a resource: a document's root, or an item of a root list.
    private var isResourceLevel: Bool {
        stack.isEmpty || (stack.count == 1 && stack[0].isSequence)
    }

    /// Counts a leaf (a scalar or an alias) of `size`.
    private mutating func add(_ size: Int, anchor: String?, line: Int, column: Int, alias: String? = nil) -> ManifestError? {
        total += size
        if total > limits.file { return fileProblem(line: line, column: column, alias: alias) }
        if isResourceLevel, size > limits.resource { return resourceProblem(size, line: line, column: column) }
        if let anchor { anchors[anchor] = size }
        if !stack.isEmpty {
            stack[stack.count - 1].size += size
            // A resource that outgrows its limit is refused now, not when it ends.
            if let resource = stack.firstIndex(where: \.isResource), stack[resource...].reduce(0, { $0 + $1.size }) > limits.resource {
                return resourceProblem(stack[resource...].reduce(0) { $0 + $1.size }, line: line, column: column, alias: alias)
            }
        }
        return nil
    }

    private func fileProblem(line: Int, column: Int, alias: String? = nil) -> ManifestError {
        let cause = alias.map { " (here, at alias *\($0))" } ?? ""
        return ManifestError(
            SourceLocation(file: file, line: line, column: column),
            "the file is larger than \(limits.file >> 20) MiB with its aliases expanded\(cause); aliases count as the text they repeat")
    }

    private func resourceProblem(_ size: Int, line: Int, column: Int, alias: String? = nil) -> ManifestError {
        let cause = alias.map { " at alias *\($0)" } ?? ""
        return ManifestError(
            SourceLocation(file: file, line: line, column: column),
            "this resource is larger than \(limits.resource >> 20) MiB\(cause) (with its aliases expanded); a resource is at most \(limits.resource >> 20) MiB")
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
