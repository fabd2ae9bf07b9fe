import Foundation
import HTTPTypes
import OpenAPIRuntime
import PorterSandbox
import Testing

@testable import PorterSandboxListing

@Suite("The sandbox-listing reader agrees with the generated decoder")
struct StatusPageReaderTests {
    /// What the generated client makes of a listing answered with `bytes` (nil when it throws).
    static func generated(_ bytes: [UInt8]) async -> Components.Schemas.ListResponse? {
        let client = Client(
            serverURL: URL(string: "http://127.0.0.1")!, configuration: Configuration(dateTranscoder: RFC3339DateTranscoder()),
            transport: AnsweringTransport(body: bytes))
        return try? await client.listSandboxes().ok.body.json
    }

    /// 300 seeded random pages (strings with escapes, quotes, control characters, emoji and other scripts;
    /// optional fields present, null or absent; unknown keys holding any JSON) read the same both ways.
    @Test func randomPagesReadTheSameBothWays() async throws {
        var random = SeededGenerator(seed: 20_261_129)
        for round in 0..<300 {
            let text = RandomPage.text(using: &random)
            let bytes = Array(text.utf8)
            let expected = await Self.generated(bytes)
            let read = StatusPageReader.read(bytes)
            #expect(expected != nil, "round \(round): the generated decoder refused \(text.prefix(300))")
            #expect(read == expected, "round \(round): \(text.prefix(400))")
        }
    }

    @Test(arguments: [
        #"{"pagination":{"current_page":1,"has_next_page":false,"total_pages":1},"sandboxes":[]"#,  // truncated
        #"{"pagination":{"current_page":1,"has_next_page":false,"total_pages":1},"sandboxes":[]} x"#,
        #"{"pagination":{"current_page":01,"has_next_page":false,"total_pages":1},"sandboxes":[]}"#,
        #"{"pagination":{"current_page":1.5,"has_next_page":false,"total_pages":1},"sandboxes":[]}"#,
        #"{"pagination":{"current_page":1,"has_next_page":"no","total_pages":1},"sandboxes":[]}"#,
        #"{"sandboxes":[]}"#,
        #"{"pagination":{"current_page":1,"has_next_page":false,"total_pages":1},"sandboxes":[{"id":"a","name":"b\q","image":"i","phase":"running","created_at":"2026-01-01T00:00:00Z","host":""}]}"#,
        #"{"pagination":{"current_page":1,"has_next_page":false,"total_pages":1},"sandboxes":[{"id":"a","name":"b","image":"i","phase":"dancing","created_at":"2026-01-01T00:00:00Z","host":""}]}"#,
        #"{"pagination":{"current_page":1,"has_next_page":false,"total_pages":1},"sandboxes":[{"id":"a","name":"b","image":"i","phase":"running","created_at":"yesterday","host":""}]}"#,
        #"{"pagination":{"current_page":1,"has_next_page":false,"total_pages":1},"sandboxes":[{"id":"a","name":"b","image":"i","phase":"running","created_at":"2026-01-01T00:00:00Z"}]}"#,
        #"{"pagination":{"current_page":1,"has_next_page":false,"total_pages":1},"sandboxes":[{"id":"a","name":"\ud800","image":"i","phase":"running","created_at":"2026-01-01T00:00:00Z","host":""}]}"#,
        #"{"pagination":{"current_page":1,"has_next_page":false,"total_pages":1},"sandboxes":[{"id":"a","name":"b","image":"i","phase":"running","created_at":"2026-01-01T00:00:00Z","host":"","exit_code":99999999999999999999}]}"#,
    ])
    func malformedPagesAreLeftToTheGeneratedDecoderWhichRefusesThem(_ text: String) async {
        #expect(StatusPageReader.read(Array(text.utf8)) == nil)
        #expect(await Self.generated(Array(text.utf8)) == nil)
    }

    @Test func invalidUTF8IsLeftToTheGeneratedDecoder() {
        var bytes = Array(#"{"pagination":{"current_page":1,"has_next_page":false,"total_pages":1},"sandboxes":[{"id":"a","name":"X","image":"i","phase":"running","created_at":"2026-01-01T00:00:00Z","host":""}]}"#.utf8)
        bytes[bytes.firstIndex(of: UInt8(ascii: "X"))!] = 0xFF
        #expect(StatusPageReader.read(bytes) == nil)
    }

    @Test func duplicateKeysAreLeftToTheGeneratedDecoder() {
        let text = #"{"pagination":{"current_page":1,"has_next_page":false,"total_pages":1},"sandboxes":[{"id":"a","name":"b","image":"i","phase":"running","created_at":"2026-01-01T00:00:00Z","host":"","tags":{"k":"1","k":"2"}}]}"#
        #expect(StatusPageReader.read(Array(text.utf8)) == nil)
        let twice = #"{"pagination":{"current_page":1,"has_next_page":false,"total_pages":1},"sandboxes":[{"id":"a","id":"b","name":"b","image":"i","phase":"running","created_at":"2026-01-01T00:00:00Z","host":""}]}"#
        #expect(StatusPageReader.read(Array(twice.utf8)) == nil)
    }

    @Test func aKeyWrittenWithEscapesIsLeftToTheGeneratedDecoder() async {
        let text = #"{"pagination":{"current_page":1,"has_next_page":false,"total_pages":1},"sandboxes":[{"id":"a","name":"b","image":"i","phase":"running","created_at":"2026-01-01T00:00:00Z","host":"","t\u0061gs":{"k":"v"}}]}"#
        #expect(StatusPageReader.read(Array(text.utf8)) == nil)
        #expect(await Self.generated(Array(text.utf8))?.sandboxes.first?.tags?.additionalProperties == ["k": "v"])
    }

    @Test func anExecTargetIsLeftToTheGeneratedDecoder() async {
        let text = #"{"pagination":{"current_page":1,"has_next_page":false,"total_pages":1},"sandboxes":[{"id":"a","name":"b","image":"i","phase":"running","created_at":"2026-01-01T00:00:00Z","host":"","exec_target":{"namespace":"n","pod":"p","container":"c"}}]}"#
        #expect(StatusPageReader.read(Array(text.utf8)) == nil)
    }
}

/// Answers every request 200 with a JSON body.
struct AnsweringTransport: ClientTransport {
    var body: [UInt8]

    func send(_ request: HTTPRequest, body _: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
        (HTTPResponse(status: .ok, headerFields: [.contentType: "application/json"]), HTTPBody(body))
    }
}

/// Random `ListResponse` JSON as a server might write it.
enum RandomPage {
    static let phases = Components.Schemas.StatusResponsePhase.allCases.map(\.rawValue)
    static let reasons = Components.Schemas.StatusResponseTerminationReason.allCases.map(\.rawValue)
    static let alphabet: [String] = ["a", "Z", "0", "-", "/", ".", " ", "\"", "\\", "\n", "\t", "\u{01}", "é", "日本", "😀", "\u{2028}", "'", "{", "]"]

    static func text<G: RandomNumberGenerator>(using random: inout G) -> String {
        let count = Int.random(in: 0...6, using: &random)
        let statuses = (0..<count).map { _ in status(using: &random) }
        var members = [
            "\"sandboxes\":" + space(&random) + "[" + statuses.joined(separator: "," + space(&random)) + "]",
            "\"pagination\":{\"current_page\":\(Int.random(in: 1...50, using: &random)),\"has_next_page\":\(Bool.random(using: &random)),\"total_pages\":\(Int.random(in: 1...50, using: &random))}",
        ]
        if Bool.random(using: &random) { members.append("\"filter_values\":null") }
        if Bool.random(using: &random) { members.append("\"extra\":" + anyValue(&random, depth: 0)) }
        members.shuffle(using: &random)
        return "{" + members.joined(separator: "," + space(&random)) + "}" + space(&random)
    }

    static func status<G: RandomNumberGenerator>(using random: inout G) -> String {
        var members = [
            "\"id\":" + string(&random), "\"name\":" + string(&random), "\"image\":" + string(&random), "\"host\":" + string(&random),
            "\"phase\":\"\(phases.randomElement(using: &random)!)\"", "\"created_at\":\"\(date(&random))\"",
        ]
        func optional(_ key: String, _ value: String) {
            switch Int.random(in: 0..<3, using: &random) {
            case 0: members.append("\"\(key)\":" + value)
            case 1: members.append("\"\(key)\":null")
            default: break
            }
        }
        optional("tags", map(&random))
        optional("volume_mounts", map(&random))
        optional("exit_code", String(Int64.random(in: Int64.min...Int64.max, using: &random) >> Int64.random(in: 0...62, using: &random)))
        optional("started_at", "\"\(date(&random))\"")
        optional("finished_at", "\"\(date(&random))\"")
        optional("termination_reason", "\"\(reasons.randomElement(using: &random)!)\"")
        optional("internal_address", string(&random))
        if Bool.random(using: &random) { members.append("\"exec_target\":null") }
        if Bool.random(using: &random) { members.append("\"unknown_\(Int.random(in: 0...9, using: &random))\":" + anyValue(&random, depth: 0)) }
        members.shuffle(using: &random)
        return "{" + members.joined(separator: "," + space(&random)) + "}"
    }

    static func space<G: RandomNumberGenerator>(_ random: inout G) -> String {
        [" ", "", "", "\n  ", "\t"].randomElement(using: &random)!
    }

    static func string<G: RandomNumberGenerator>(_ random: inout G) -> String {
        let raw = (0..<Int.random(in: 0...8, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
        var quoted = ""
        for scalar in raw.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += Bool.random(using: &random) ? "\\\\" : "\\u005c"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            case "/": quoted += Bool.random(using: &random) ? "/" : "\\/"
            case _ where scalar.value < 0x20: quoted += String(format: "\\u%04x", scalar.value)
            case _ where scalar.value > 0xFFFF && Bool.random(using: &random):
                let value = scalar.value - 0x10000
                quoted += String(format: "\\ud%03x\\u%04x", 0x800 + (value >> 10), 0xDC00 + (value & 0x3FF))
            case _ where scalar.value > 0x7F && Bool.random(using: &random): quoted += String(format: "\\u%04X", scalar.value)
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return "\"" + quoted + "\""
    }

    static func map<G: RandomNumberGenerator>(_ random: inout G) -> String {
        var keys = Set<String>()
        let members = (0..<Int.random(in: 0...4, using: &random)).compactMap { _ -> String? in
            let key = string(&random)
            return keys.insert(key).inserted ? key + ":" + string(&random) : nil
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    static func date<G: RandomNumberGenerator>(_ random: inout G) -> String {
        let seconds = Double(Int64.random(in: 0...4_000_000_000, using: &random)) + Double(Int.random(in: 0...999, using: &random)) / 1000
        return RFC3339DateTranscoder.format(Date(timeIntervalSince1970: seconds))
    }

    static func anyValue<G: RandomNumberGenerator>(_ random: inout G, depth: Int) -> String {
        switch Int.random(in: 0..<(depth > 2 ? 5 : 7), using: &random) {
        case 0: return string(&random)
        case 1: return ["0", "-1", "3.25", "1e10", "-2.5E-3", "123456789012345678901234567890"].randomElement(using: &random)!
        case 2: return "true"
        case 3: return "false"
        case 4: return "null"
        case 5: return "[" + (0..<Int.random(in: 0...3, using: &random)).map { _ in anyValue(&random, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            return "{" + (0..<Int.random(in: 0...3, using: &random)).map { _ in string(&random) + ":" + anyValue(&random, depth: depth + 1) }.joined(separator: ",") + "}"
        }
    }
}

/// SplitMix64: the same sequence for the same seed on every platform.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
