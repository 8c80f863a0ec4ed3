import NTOpenRouter
import Testing

/// However the network cuts a realistic OpenRouter turn, the chat engine sees the same items.
@Suite("Stream splitting")
struct StreamSplittingTests {
    /// The recorded turn with each line end style: OpenRouter uses LF; proxies have been seen to rewrite.
    static let variants: [(name: String, stream: [UInt8])] = [
        ("LF", bytes(RecordedStreams.turn)),
        ("CRLF", bytes(RecordedStreams.turn.replacing("\n\n", with: "\r\n\r\n"))),
        ("CR", bytes(RecordedStreams.turn.replacing("\n\n", with: "\r\r"))),
        ("BOM and CRLF", [0xEF, 0xBB, 0xBF] + bytes(RecordedStreams.turn.replacing("\n\n", with: "\r\n\r\n"))),
    ]

    @Test("the whole stream in one chunk decodes to the expected turn")
    func wholeStream() {
        #expect(streamItems([bytes(RecordedStreams.turn)]) == RecordedStreams.turnItems)
    }

    @Test("split in two at every byte position", arguments: variants.indices)
    func everySplitPosition(variant: Int) {
        let stream = Self.variants[variant].stream
        for position in 0...stream.count {
            let items = streamItems([Array(stream[..<position]), Array(stream[position...])])
            #expect(items == RecordedStreams.turnItems, "\(Self.variants[variant].name) split at byte \(position)")
            if items != RecordedStreams.turnItems { return }
        }
    }

    @Test("split in three around every byte (each byte alone in its chunk)", arguments: variants.indices)
    func everyByteIsolated(variant: Int) {
        let stream = Self.variants[variant].stream
        for position in 0..<stream.count {
            let items = streamItems([Array(stream[..<position]), [stream[position]], Array(stream[(position + 1)...])])
            #expect(items == RecordedStreams.turnItems, "\(Self.variants[variant].name) byte \(position) alone")
            if items != RecordedStreams.turnItems { return }
        }
    }

    @Test("fed one byte at a time", arguments: variants.indices)
    func oneByteAtATime(variant: Int) {
        #expect(streamItems(Self.variants[variant].stream.map { [$0] }) == RecordedStreams.turnItems)
    }

    @Test("split into random chunks of 1 to 7 bytes", arguments: 1...64)
    func randomChunks(seed: Int) {
        var random = SplitMix64(state: UInt64(seed))
        for variant in Self.variants {
            let sizes = (0..<variant.stream.count).map { _ in Int.random(in: 1...7, using: &random) }
            let items = streamItems(cut(variant.stream, sizes: sizes))
            #expect(items == RecordedStreams.turnItems, "\(variant.name), seed \(seed)")
        }
    }

    @Test("the keep-alive comments before the first token are counted")
    func keepAlivesCounted() {
        var parser = SSEParser()
        _ = parser.feed(bytes(RecordedStreams.turn))
        #expect(parser.commentCount == 2)
        #expect(!parser.hasPartialEvent)
    }

    @Test("a stream cut before [DONE] yields the items so far and reports the cut")
    func cutStream() {
        let stream = bytes(RecordedStreams.turn)
        let cutAt = stream.count - "data: [DONE]\n\n".utf8.count - 40  // inside the usage chunk
        var parser = SSEParser()
        var decoder = ChunkDecoder()
        let items = parser.feed(stream[..<cutAt]).flatMap { decoder.decode($0) } + parser.finish().flatMap { decoder.decode($0) }
        #expect(items == Array(RecordedStreams.turnItems.prefix(5)))
        #expect(parser.hasPartialEvent)
    }
}
