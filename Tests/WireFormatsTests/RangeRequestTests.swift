import Testing
import WireFormats

@Suite("Wire formats: Range headers")
struct ByteRangeTests {
    @Test(arguments: [
        ("bytes=0-3", Int64(10), Int64(0), Int64(3)), ("bytes=5-", 10, 5, 9), ("bytes=-4", 10, 6, 9), ("bytes=-40", 10, 0, 9),
        ("bytes=8-20", 10, 8, 9), (" bytes=1-1 ", 10, 1, 1), ("bytes=0-9223372036854775807", 10, 0, 9),
        ("bytes=-9223372036854775807", Int64.max, 0, Int64.max - 1), ("bytes=9223372036854775806-", Int64.max, Int64.max - 1, Int64.max - 1),
    ])
    func parses(_ header: String, _ size: Int64, _ first: Int64, _ last: Int64) throws {
        #expect(try RangeRequest.parse(header, size: size) == RangeRequest(first: first, last: last))
    }

    @Test func answeredWhole() throws {
        #expect(try RangeRequest.parse("bytes=0-1,4-5", size: 10) == nil)
        #expect(try RangeRequest.parse("items=0-1", size: 10) == nil)
    }

    @Test(arguments: [
        ("bytes=10-", RangeRequest.ParseError.startsPastEnd), ("bytes=9223372036854775807-", .startsPastEnd), ("bytes=5-2", .malformed),
        ("bytes=-0", .empty), ("bytes=a-b", .malformed), ("bytes=-", .malformed), ("bytes=--1", .malformed),
        ("bytes=-9223372036854775808", .malformed), ("bytes=99999999999999999999-", .malformed), ("bytes=1-99999999999999999999", .malformed),
    ])
    func refuses(_ header: String, _ error: RangeRequest.ParseError) {
        #expect(throws: error) { try RangeRequest.parse(header, size: 10) }
    }
}
