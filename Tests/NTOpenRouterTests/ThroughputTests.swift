import NTOpenRouter
import Testing

/// How fast the hot path runs. Meaningful in release: `swift test -c release --filter Throughput`.
@Suite("Throughput")
struct ThroughputTests {
    /// About 10 MB of content chunks shaped like OpenRouter's, with keep-alives and a usage chunk.
    static func syntheticStream(megabytes: Int) -> (body: [UInt8], chunks: Int) {
        var body = bytes(": OPENROUTER PROCESSING\n\n")
        body += bytes(RecordedStreams.chunk(#""delta":{"role":"assistant","content":""},"finish_reason":null"#))
        let words = ["The ", "quick ", "brown ", "fox ", "jumps ", "över ", "the ", "lazy ", "dog — ", "日本語 ", "👋 ", "again.\\n"]
        var chunks = 1
        while body.count < megabytes * 1_000_000 {
            let content = words[chunks % words.count]
            body += bytes(RecordedStreams.chunk(#""delta":{"content":"\#(content)"},"finish_reason":null,"native_finish_reason":null"#))
            chunks += 1
        }
        body += bytes(RecordedStreams.chunk(nil, extra: #","usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}"#))
        body += bytes("data: [DONE]\n\n")
        return (body, chunks + 2)
    }

    @Test("parser and decoder throughput on a 10 MB stream read in 16 KiB pieces")
    func throughput() {
        let (body, chunkCount) = Self.syntheticStream(megabytes: 10)
        let reads = cut(body, sizes: Array(repeating: 16 * 1024, count: body.count / (16 * 1024) + 1))
        let clock = ContinuousClock()

        var events = 0
        let parseTime = clock.measure {
            var parser = SSEParser()
            for read in reads { events += parser.feed(read).count }
        }
        var contentItems = 0
        var done = false
        let fullTime = clock.measure {
            var parser = SSEParser()
            var decoder = ChunkDecoder()
            for read in reads {
                for event in parser.feed(read) {
                    for item in decoder.decode(event) {
                        if case .content = item { contentItems += 1 } else if item == .done { done = true }
                    }
                }
            }
        }
        #expect(events == chunkCount)
        #expect(contentItems == chunkCount - 3)
        #expect(done)

        let megabytes = Double(body.count) / 1_000_000
        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        let line = "NTOpenRouter throughput (\(build)): \(body.count) bytes, \(chunkCount) chunks; "
            + "parser \(Int(megabytes / seconds(parseTime))) MB/s; "
            + "parser+decoder \(Int(megabytes / seconds(fullTime))) MB/s, \(Int(Double(chunkCount) / seconds(fullTime))) chunks/s"
        print(line)
    }
}
