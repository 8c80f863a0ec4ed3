import NTOpenRouter
import Testing

/// What the parser tells its caller besides events: keep-alives, a cut stream, an oversized event.
@Suite("SSE parser state")
struct SSEParserStateTests {
    @Test("comment lines are counted as keep-alives, even when split across chunks")
    func countsComments() {
        var parser = SSEParser()
        _ = parser.feed(bytes(": OPENROUTER PROCESSING\n\n: OPENROUTER"))
        #expect(parser.commentCount == 1)
        _ = parser.feed(bytes(" PROCESSING\r\n:\n"))
        #expect(parser.commentCount == 3)
    }

    @Test(
        "a stream cut inside an event reports a partial event, before and after finish",
        arguments: ["data: {\"id\":", "data: a\n", "event: x\n", "data: a\n\n:"]
    )
    func reportsPartialEvent(tail: String) {
        var parser = SSEParser()
        _ = parser.feed(bytes(tail))
        #expect(parser.hasPartialEvent)
        #expect(parser.finish().isEmpty)
        #expect(parser.hasPartialEvent)
    }

    @Test("a stream cut inside its opening BOM reports a partial event")
    func reportsPartialBOM() {
        var parser = SSEParser()
        _ = parser.feed([0xEF, 0xBB])
        _ = parser.finish()
        #expect(parser.hasPartialEvent)
    }

    @Test("a stream that ends after a blank line has no partial event", arguments: ["", "data: a\n\n", "data: a\r\n\r\n", ": ping\n", "id: 3\n"])
    func reportsCleanEnd(stream: String) {
        var parser = SSEParser()
        _ = parser.feed(bytes(stream))
        #expect(!parser.hasPartialEvent)
        _ = parser.finish()
        #expect(!parser.hasPartialEvent)
    }

    @Test("feeding after finish starts a new stream")
    func restartsAfterFinish() {
        var parser = SSEParser()
        _ = parser.feed(bytes(": ping\ndata: lost"))
        _ = parser.finish()
        #expect(parser.feed(bytes("data: fresh\n\n")) == [SSEEvent(data: "fresh")])
        #expect(!parser.hasPartialEvent)
        #expect(parser.commentCount == 0)
    }

    @Test("an event larger than the limit stops the parser instead of growing")
    func capsOneEvent() {
        var parser = SSEParser(maxEventBytes: 1024)
        #expect(parser.feed(bytes("data: ok\n\n")) == [SSEEvent(data: "ok")])
        for _ in 0..<10 { _ = parser.feed(bytes("data: " + String(repeating: "y", count: 200) + "\n")) }
        #expect(parser.failure == .eventTooLarge(limit: 1024))
        #expect(parser.feed(bytes("\n\ndata: after\n\n")).isEmpty)
    }

    @Test("a single line longer than the limit stops the parser, whether buffered or in one chunk")
    func capsOneLine() {
        var buffered = SSEParser(maxEventBytes: 1000)
        for _ in 0..<20 { _ = buffered.feed(bytes(String(repeating: "z", count: 100))) }
        #expect(buffered.failure == .eventTooLarge(limit: 1000))

        var whole = SSEParser(maxEventBytes: 1000)
        #expect(whole.feed(bytes("data: " + String(repeating: "z", count: 2000) + "\n\n")).isEmpty)
        #expect(whole.failure != nil)
    }

    @Test("events up to the limit pass, and events before an oversized one are still delivered")
    func limitIsInclusive() {
        var parser = SSEParser(maxEventBytes: 64)
        let fits = String(repeating: "a", count: 40)
        let events = parser.feed(bytes("data: \(fits)\n\ndata: \(String(repeating: "b", count: 100))\n\n"))
        #expect(events == [SSEEvent(data: fits)])
        #expect(parser.failure != nil)
        #expect(SSEParser.defaultMaxEventBytes == 8 * 1024 * 1024)
    }

    @Test("a valid retry field sets the reconnection time; an invalid one is ignored")
    func readsRetry() {
        var parser = SSEParser()
        _ = parser.feed(bytes("retry: 1500\n\nretry: soon\n\nretry: -1\n\n"))
        #expect(parser.retryMilliseconds == 1500)
    }
}
