import Foundation
import Synchronization
import Yams

/// Reads manifests (docs/manifests.md) from YAML, multi-document, or JSON, reporting every problem with its
/// file, line and column, in file order. Each document is checked against ``ManifestSchema``, the
/// description `docs/manifest.schema.json` is generated from, so `apply` and the schema judge a document
/// alike; unknown fields are errors with a "did you mean" hint.
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
                // Every rule is in the manifest schema: what passes it is decoded without further checks.
                let kind = Self.kind(of: item)
                var validator = SchemaValidator(file: file)
                validator.validate(item, against: ManifestSchema.manifest(of: kind), at: .root)
                if validator.errors.isEmpty, let kind { manifests.append(ManifestDecoder(file: file).manifest(item, kind: kind)) }
                errors += validator.errors
            }
        }
        guard errors.isEmpty else { throw ManifestErrors(inFileOrder(errors)) }
        return manifests
    }

    /// The kind a document declares, when it declares a known one.
    static func kind(of document: Node) -> ResourceKind? {
        guard case .scalar(let scalar)? = ManifestDecoder.fields(document)[Manifest.EnvelopeKeys.kind.stringValue], ScalarKind(scalar) == .string else {
            return nil
        }
        return ResourceKind(rawValue: scalar.string)
    }

    /// `errors` by line and column, those at one place in the order they were found.
    static func inFileOrder(_ errors: [ManifestError]) -> [ManifestError] {
        errors.enumerated().sorted { left, right in
            let (a, b) = (left.element.location, right.element.location)
            return (a.line, a.column, left.offset) < (b.line, b.column, right.offset)
        }.map(\.element)
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
