import NTOpenRouter
import Testing

/// One parser scenario: the chunks as they arrive from the network and the events they must produce.
struct ParserCase: Sendable, CustomTestStringConvertible {
    let name: String
    let chunks: [[UInt8]]
    let expected: [SSEEvent]
    var testDescription: String { name }

    init(_ name: String, _ chunks: [[UInt8]], _ expected: [SSEEvent]) {
        self.name = name
        self.chunks = chunks
        self.expected = expected
    }

    init(_ name: String, _ chunks: [String], _ expected: [SSEEvent]) {
        self.init(name, chunks.map(bytes), expected)
    }
}

private func event(_ data: String, type: String? = nil, id: String? = nil) -> SSEEvent {
    SSEEvent(event: type, data: data, id: id)
}

private let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
private let multiByte = bytes("data: é👋日\n\n")  // 2-, 4- and 3-byte sequences

/// The event stream interpretation rules, and every way a network can cut a stream, one row each.
@Suite("SSE parser")
struct SSEParserTests {
    static let cases: [ParserCase] = [
        // Line ends
        ParserCase("an event ends at a blank line (LF)", ["data: hello\n\n"], [event("hello")]),
        ParserCase("CRLF line ends", ["data: hello\r\n\r\n"], [event("hello")]),
        ParserCase("CR line ends", ["data: hello\r\r"], [event("hello")]),
        ParserCase("LF, CR and CRLF mixed in one stream", ["data: a\ndata: b\rdata: c\r\n\r\ndata: d\r\n\n"], [event("a\nb\nc"), event("d")]),
        ParserCase("a CR ending one chunk and the LF opening the next are one line end", ["data: a\r", "\ndata: b\r\n\r\n"], [event("a\nb")]),
        ParserCase("a CRLF split between chunks, then a blank line", ["data: a\r", "\n\r", "\n"], [event("a")]),
        ParserCase("a CR ending one chunk and a CR opening the next are two line ends", ["data: a\r", "\r"], [event("a")]),
        ParserCase("an LF after a CR that was itself a blank line is another blank line", ["data: a\n\r", "\n\n"], [event("a")]),
        // Splits anywhere
        ParserCase("a field name split across chunks", ["da", "ta: x\n\n"], [event("x")]),
        ParserCase("the colon and space split off", ["data", ":", " x", "\n", "\n"], [event("x")]),
        ParserCase("every byte in its own chunk", "data: one\r\n\r\ndata: two\n\n".utf8.map { [$0] }, [event("one"), event("two")]),
        ParserCase("a 2-byte character split", [Array(multiByte[..<7]), Array(multiByte[7...])], [event("é👋日")]),
        ParserCase("a 4-byte character split after each byte", cut(multiByte, sizes: [9, 1, 1, 1]), [event("é👋日")]),
        ParserCase("a 3-byte character split", [Array(multiByte[..<13]), Array(multiByte[13...])], [event("é👋日")]),
        ParserCase("many events in one chunk", ["data: 1\n\ndata: 2\n\ndata: 3\n\n"], [event("1"), event("2"), event("3")]),
        // Byte order mark
        ParserCase("a BOM at the very start is dropped", [bom + bytes("data: x\n\n")], [event("x")]),
        ParserCase("a BOM split across three chunks is dropped", [[0xEF], [0xBB], [0xBF] + bytes("data: x\n\n")], [event("x")]),
        ParserCase("a BOM later in the stream is not dropped: the field is unknown", [bytes("data: a\n\n") + bom + bytes("data: b\n\n")], [event("a")]),
        ParserCase("bytes that only start like a BOM are kept as input", [[0xEF, 0xBB], bytes("\ndata: x\n\n")], [event("x")]),
        // Fields
        ParserCase("data lines join with LF", ["data: first\ndata: second\ndata: third\n\n"], [event("first\nsecond\nthird")]),
        ParserCase("data without a space after the colon", ["data:{\"a\":1}\n\n"], [event("{\"a\":1}")]),
        ParserCase("only one space after the colon is removed", ["data:  indented\n\n"], [event(" indented")]),
        ParserCase("colons inside the value are kept", ["data: {\"k\":\"a:b\"}\n\n"], [event("{\"k\":\"a:b\"}")]),
        ParserCase("a data line with an empty value gives an empty line", ["data: a\ndata:\ndata: b\n\n"], [event("a\n\nb")]),
        ParserCase("a field without a colon has an empty value", ["data\n\n"], [event("")]),
        ParserCase("unknown fields are ignored", ["foo: bar\ndata: x\nbaz\n\n"], [event("x")]),
        ParserCase("field names are case-sensitive", ["Data: x\n\n"], []),
        ParserCase("a field name with a leading space is another field", [" data: x\n\n"], []),
        ParserCase("the event field names the event, for that event only", ["event: ping\ndata: a\n\ndata: b\n\n"], [event("a", type: "ping"), event("b")]),
        ParserCase("the id persists across events", ["id: 7\ndata: a\n\ndata: b\n\n"], [event("a", id: "7"), event("b", id: "7")]),
        ParserCase("an empty id resets it", ["id: 7\ndata: a\n\nid\ndata: b\n\n"], [event("a", id: "7"), event("b")]),
        ParserCase("an id containing NUL is ignored", [bytes("id: 1\ndata: a\n\nid: 2") + [0] + bytes("\ndata: b\n\n")], [event("a", id: "1"), event("b", id: "1")]),
        ParserCase("invalid UTF-8 becomes U+FFFD", [bytes("data: a") + [0xFF] + bytes("b\n\n")], [event("a\u{FFFD}b")]),
        // Comments and empty events
        ParserCase("comment lines produce no event", [": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: x\n\n"], [event("x")]),
        ParserCase("a comment between data lines does not end the event", ["data: a\n: keep-alive\ndata: b\n\n"], [event("a\nb")]),
        ParserCase("blank lines without data produce no event", ["\n\n\r\n\r\r"], []),
        ParserCase("an event with only an event field produces nothing", ["event: ping\n\n"], []),
        ParserCase("the event type of a data-less event does not leak into the next", ["event: ping\n\ndata: x\n\n"], [event("x")]),
        // End of stream
        ParserCase("an unterminated last event is discarded", ["data: a\n\ndata: b"], [event("a")]),
        ParserCase("a last event without its blank line is discarded", ["data: a\n\ndata: b\n"], [event("a")]),
        ParserCase("[DONE] is data like any other", ["data: [DONE]\n\n"], [event("[DONE]")]),
        // Size
        ParserCase("a 100 KB line arriving in 1 KB pieces", cut(bytes("data: " + String(repeating: "x", count: 100_000) + "\n\n"), sizes: Array(repeating: 1024, count: 200)), [event(String(repeating: "x", count: 100_000))]),
    ]

    @Test("parses", arguments: cases)
    func parses(_ row: ParserCase) {
        #expect(parsedEvents(row.chunks) == row.expected)
    }

    @Test("gives the same events when every chunk is fed one byte at a time", arguments: cases)
    func parsesByteByByte(_ row: ParserCase) {
        let single = row.chunks.joined().map { [$0] }
        #expect(parsedEvents(single) == row.expected)
    }

    @Test("reads any collection of bytes, contiguous or not")
    func acceptsAnyCollection() {
        var parser = SSEParser()
        let events = parser.feed("data: lazy\n\n".utf8.lazy.map { $0 }) + parser.feed(ArraySlice(bytes("data: slice\n\n")))
        #expect(events == [event("lazy"), event("slice")])
    }
}
