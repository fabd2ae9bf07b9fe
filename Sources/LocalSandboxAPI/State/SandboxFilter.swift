import Foundation
import PorterSandbox

/// The filters of list and counts: a creation-time window, a name prefix, tags (all must match),
/// phases (any may match) and an exact image.
struct SandboxFilter: Sendable {
    var startTime: Date?
    var endTime: Date?
    var namePrefix: String?
    var tags: [(key: String, value: String)] = []
    var phases: Set<SandboxPhase> = []
    var image: String?

    /// Parses the wire parameters; `badRequest` for a malformed tag or time.
    init(startTime: String?, endTime: String?, search: String?, tags: [String]?, phases: [SandboxPhaseFilter]?, image: String?) throws {
        func time(_ text: String?, _ name: String) throws -> Date? {
            guard let text, !text.isEmpty else { return nil }
            guard let date = RFC3339DateTranscoder.parse(text) else {
                throw LocalAPIError.badRequest("\(name) '\(text)' is not an RFC 3339 timestamp")
            }
            return date
        }
        self.startTime = try time(startTime, "start_time")
        self.endTime = try time(endTime, "end_time")
        self.namePrefix = search.flatMap { $0.isEmpty ? nil : $0 }
        for tag in tags ?? [] {
            guard let equals = tag.firstIndex(of: "=") else {
                throw LocalAPIError.badRequest("tag '\(tag)' is not key=value")
            }
            self.tags.append((String(tag[..<equals]), String(tag[tag.index(after: equals)...])))
        }
        self.phases = Set((phases ?? []).compactMap { SandboxPhase(rawValue: $0.rawValue) })
        self.image = image.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The filter as a value, to recognise the same listing across pages.
    struct Key: Equatable {
        var startTime: Date?
        var endTime: Date?
        var namePrefix: String?
        var tags: [String]
        var phases: Set<SandboxPhase>
        var image: String?
    }

    var key: Key {
        Key(startTime: startTime, endTime: endTime, namePrefix: namePrefix, tags: tags.map { "\($0.key)=\($0.value)" }.sorted(), phases: phases, image: image)
    }

    func matches(_ sandbox: LocalSandbox) -> Bool {
        if let startTime, sandbox.createdAt < startTime { return false }
        if let endTime, sandbox.createdAt > endTime { return false }
        if let namePrefix, !sandbox.name.hasPrefix(namePrefix) { return false }
        if !phases.isEmpty, !phases.contains(sandbox.phase) { return false }
        if let image, sandbox.image != image { return false }
        if !tags.isEmpty {
            let sandboxTags = sandbox.tags
            for (key, value) in tags where sandboxTags[key] != value { return false }
        }
        return true
    }
}
