import FoundationEssentials
import NTOpenRouter
import Testing

/// The two chunks that end a turn other than text: the usage chunk and a mid-stream error.
@Suite("Usage and error chunks")
struct UsageAndErrorChunkTests {
    struct UsageCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let json: String
        let expected: Usage
    }

    static let usageCases: [UsageCase] = [
        UsageCase(
            testDescription: "OpenRouter's full usage, with cost and both detail objects",
            json: #"{"prompt_tokens":100,"completion_tokens":50,"total_tokens":150,"cost":0.0021,"is_byok":false,"prompt_tokens_details":{"cached_tokens":80,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":20},"cost_details":{"upstream_inference_cost":null}}"#,
            expected: Usage(promptTokens: 100, completionTokens: 50, totalTokens: 150, cachedTokens: 80, reasoningTokens: 20, cost: 0.0021, isByok: false)
        ),
        UsageCase(
            testDescription: "an OpenAI-compatible server's usage, without cost or details",
            json: #"{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}"#,
            expected: Usage(promptTokens: 7, completionTokens: 3, totalTokens: 10)
        ),
        UsageCase(
            testDescription: "null detail objects and a BYOK request",
            json: #"{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"cost":0,"is_byok":true,"prompt_tokens_details":null,"completion_tokens_details":null}"#,
            expected: Usage(promptTokens: 1, completionTokens: 2, totalTokens: 3, cost: 0, isByok: true)
        ),
        UsageCase(
            testDescription: "a missing total is prompt plus completion",
            json: #"{"prompt_tokens":4,"completion_tokens":5}"#,
            expected: Usage(promptTokens: 4, completionTokens: 5, totalTokens: 9)
        ),
    ]

    @Test("usage in a final chunk with empty choices", arguments: usageCases)
    func decodesUsage(_ row: UsageCase) {
        var decoder = ChunkDecoder()
        let items = decoder.decode(data: #"{"id":"gen-9","model":"m","choices":[],"usage":\#(row.json)}"#)
        #expect(items == [.started(id: "gen-9", model: "m", provider: nil), .usage(row.expected)])
    }

    @Test("usage stored and read back through its own Codable shape is unchanged")
    func usageRoundTrips() throws {
        let usage = Usage(promptTokens: 1, completionTokens: 2, totalTokens: 3, cachedTokens: 0, reasoningTokens: 1, cost: 0.5, isByok: false)
        let json = try JSONEncoder().encode(usage)
        #expect(try JSONDecoder().decode(Usage.self, from: json) == usage)
    }

    /// An OpenRouter mid-stream error: a top-level `error` and a choice finishing with "error".
    static func errorChunk(code: String) -> String {
        let error = #"{"code":\#(code),"message":"Provider returned error","metadata":{"provider_name":"Groq","raw":"upstream/503"}}"#
        return #"data: {"id":"gen-2","model":"m","provider":"Groq","object":"chat.completion.chunk","created":1,"error":\#(error),"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error","native_finish_reason":null}]}"# + "\n\n"
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let code: String
        let expected: StreamError
        let endsWithDone: Bool
    }

    static let metadata = #"{"provider_name":"Groq","raw":"upstream/503"}"#
    static let errorCases: [ErrorCase] = [
        ErrorCase(testDescription: "numeric code, then [DONE]", code: "502", expected: StreamError(code: "502", message: "Provider returned error", metadata: metadata, httpStatus: 502), endsWithDone: true),
        ErrorCase(testDescription: "numeric code, stream ends without [DONE]", code: "502", expected: StreamError(code: "502", message: "Provider returned error", metadata: metadata), endsWithDone: false),
        ErrorCase(testDescription: "string code, then [DONE]", code: #""server_error""#, expected: StreamError(code: "server_error", message: "Provider returned error", metadata: metadata), endsWithDone: true),
        ErrorCase(testDescription: "string code, stream ends without [DONE]", code: #""server_error""#, expected: StreamError(code: "server_error", message: "Provider returned error", metadata: metadata), endsWithDone: false),
    ]

    @Test("a mid-stream error keeps the text before it, then reports the error and the finish", arguments: errorCases)
    func decodesMidStreamError(_ row: ErrorCase) {
        let stream = RecordedStreams.chunk(#""delta":{"content":"partial"},"finish_reason":null"#)
            + Self.errorChunk(code: row.code) + (row.endsWithDone ? "data: [DONE]\n\n" : "")
        let items = streamItems(cut(bytes(stream), sizes: Array(repeating: 5, count: 200)))
        let expected: [StreamItem] = [
            .started(id: "gen-1745-abc", model: "anthropic/claude-sonnet-4", provider: "Anthropic"),
            .content("partial"),
            .upstreamError(row.expected),
            .finished(reason: "error", nativeReason: nil),
        ] + (row.endsWithDone ? [.done] : [])
        #expect(items == expected)
    }

    @Test("the HTTP status of a stream error is its code when numeric")
    func httpStatusFromCode() {
        #expect(StreamError(code: "429", message: "").httpStatus == 429)
        #expect(StreamError(code: "server_error", message: "").httpStatus == nil)
        #expect(StreamError(code: "server_error", message: "", httpStatus: 500).httpStatus == 500)
    }

    @Test(
        "error objects of other shapes still decode",
        arguments: [
            (#"{"error":{"message":"no code"}}"#, StreamError(code: "unknown", message: "no code")),
            (#"{"error":{"code":400}}"#, StreamError(code: "400", message: "upstream error")),
            (#"{"error":"model not loaded"}"#, StreamError(code: "unknown", message: "model not loaded")),
            (#"{"error":{"code":403,"message":"flagged","metadata":{"reasons":["violence"],"flagged_input":"a/b"}}}"#, StreamError(code: "403", message: "flagged", metadata: #"{"flagged_input":"a/b","reasons":["violence"]}"#)),
        ]
    )
    func decodesErrorShapes(data: String, expected: StreamError) {
        var decoder = ChunkDecoder()
        #expect(decoder.decode(data: data) == [.upstreamError(expected)])
    }
}
