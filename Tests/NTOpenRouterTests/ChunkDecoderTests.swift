import NTOpenRouter
import Testing

/// One event's data and the items a fresh decoder must turn it into.
struct ChunkCase: Sendable, CustomTestStringConvertible {
    let name: String
    let data: String
    let expected: [StreamItem]
    var testDescription: String { name }

    init(_ name: String, _ data: String, _ expected: [StreamItem]) {
        self.name = name
        self.data = data
        self.expected = expected
    }
}

private let started = StreamItem.started(id: "gen-1", model: "openai/gpt-4o", provider: "OpenAI")
private let head = #""id":"gen-1","model":"openai/gpt-4o","provider":"OpenAI","object":"chat.completion.chunk","created":1"#

/// A chunk whose single choice has this delta and finish reason.
private func chunk(delta: String, finish: String = "null", native: String = "null") -> String {
    #"{\#(head),"choices":[{"index":0,"delta":\#(delta),"finish_reason":\#(finish),"native_finish_reason":\#(native)}]}"#
}

/// Chunk data → stream items, one row per shape OpenRouter (or an OpenAI-compatible server) sends.
@Suite("Chunk decoder")
struct ChunkDecoderTests {
    static let cases: [ChunkCase] = [
        ChunkCase("the first chunk starts the stream; its role delta adds nothing", chunk(delta: #"{"role":"assistant","content":""}"#), [started]),
        ChunkCase("content", chunk(delta: #"{"content":"Hi"}"#), [started, .content("Hi")]),
        ChunkCase("an empty delta adds nothing", chunk(delta: "{}"), [started]),
        ChunkCase("a null content adds nothing", chunk(delta: #"{"content":null}"#), [started]),
        ChunkCase("reasoning", chunk(delta: #"{"reasoning":"hmm"}"#), [started, .reasoning("hmm")]),
        ChunkCase(
            "reasoning is read once when both reasoning and reasoning_details carry it",
            chunk(delta: #"{"reasoning":"hmm","reasoning_details":[{"type":"reasoning.text","text":"hmm","index":0}]}"#),
            [started, .reasoning("hmm")]
        ),
        ChunkCase(
            "reasoning_details text and summaries are read when reasoning is absent; encrypted ones are skipped",
            chunk(delta: #"{"reasoning_details":[{"type":"reasoning.text","text":"a"},{"type":"reasoning.encrypted","data":"xyz"},{"type":"reasoning.summary","summary":"b"}]}"#),
            [started, .reasoning("ab")]
        ),
        ChunkCase(
            "only encrypted reasoning adds nothing",
            chunk(delta: #"{"reasoning":null,"reasoning_details":[{"type":"reasoning.encrypted","data":"xyz"}]}"#),
            [started]
        ),
        ChunkCase("reasoning before content in the same delta", chunk(delta: #"{"content":"A","reasoning":"R"}"#), [started, .reasoning("R"), .content("A")]),
        ChunkCase(
            "tool call deltas are skipped without failing",
            chunk(delta: #"{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":"}}]}"#),
            [started]
        ),
        ChunkCase("a finish reason with its native reason", chunk(delta: "{}", finish: #""length""#, native: #""max_tokens""#), [started, .finished(reason: "length", nativeReason: "max_tokens")]),
        ChunkCase("a finish reason without a native one", chunk(delta: #"{"content":"."}"#, finish: #""stop""#), [started, .content("."), .finished(reason: "stop", nativeReason: nil)]),
        ChunkCase("[DONE] inside content is content", chunk(delta: #"{"content":"[DONE]"}"#), [started, .content("[DONE]")]),
        ChunkCase("the whole data [DONE] ends the stream", "[DONE]", [.done]),
        ChunkCase("[DONE] with whitespace around it ends the stream", " [DONE]\n", [.done]),
        ChunkCase("[DONE] followed by more text is not the end", "[DONE] and more", [.malformed("event data is not a JSON object: [DONE] and more")]),
        ChunkCase("blank data is ignored", "  ", []),
        ChunkCase("text that is not JSON is malformed", "Internal Server Error", [.malformed("event data is not a JSON object: Internal Server Error")]),
        ChunkCase("truncated JSON is malformed", #"{"id":"gen-1","choices":[{"#, [.malformed(#"event data is not a JSON object: {"id":"gen-1","choices":[{"#)]),
        ChunkCase("a JSON array is malformed", "[1,2]", [.malformed("event data is not a JSON object: [1,2]")]),
        ChunkCase("JSON that is not a chunk is malformed", #"{"hello":"world"}"#, [.malformed(#"event data is JSON but not a chat completion chunk: {"hello":"world"}"#)]),
        ChunkCase(
            "a field of the wrong type is malformed, and the path says which",
            chunk(delta: #"{"content":42}"#),
            [.malformed(#"chunk field choices[0].delta.content has an unexpected type or value: "# + String(chunk(delta: #"{"content":42}"#).prefix(120)) + "…")]
        ),
        ChunkCase(
            "unknown fields are ignored",
            #"{\#(head),"system_fingerprint":"fp","service_tier":null,"openrouter_metadata":{"x":[1]},"choices":[{"index":0,"delta":{"content":"ok","audio":{"id":"a"}},"logprobs":null,"finish_reason":null}]}"#,
            [started, .content("ok")]
        ),
        ChunkCase(
            "a server without provider or id still starts the stream",
            #"{"object":"chat.completion.chunk","model":"llama3","choices":[{"index":0,"delta":{"content":"x"}}]}"#,
            [.started(id: "", model: "llama3", provider: nil), .content("x")]
        ),
        ChunkCase(
            "only the first choice is read",
            #"{\#(head),"choices":[{"index":1,"delta":{"content":"second"}},{"index":0,"delta":{"content":"first"}}]}"#,
            [started, .content("first")]
        ),
    ]

    @Test("decodes", arguments: cases)
    func decodes(_ row: ChunkCase) {
        var decoder = ChunkDecoder()
        #expect(decoder.decode(SSEEvent(data: row.data)) == row.expected)
    }

    @Test("announces the start only once per stream")
    func startsOnce() {
        var decoder = ChunkDecoder()
        #expect(!decoder.hasStarted)
        let first = decoder.decode(data: chunk(delta: #"{"content":"a"}"#))
        let second = decoder.decode(data: chunk(delta: #"{"content":"b"}"#))
        #expect(first == [started, .content("a")])
        #expect(second == [.content("b")])
        #expect(decoder.hasStarted)
    }

    @Test("a malformed event does not stop later chunks from decoding")
    func recoversAfterMalformed() {
        var decoder = ChunkDecoder()
        #expect(decoder.decode(data: "{oops").count == 1)
        #expect(decoder.decode(data: chunk(delta: #"{"content":"fine"}"#)) == [started, .content("fine")])
    }
}
