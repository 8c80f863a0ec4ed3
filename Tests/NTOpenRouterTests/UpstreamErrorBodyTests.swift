import NTOpenRouter
import Testing

/// HTTP errors before the stream starts: reading the body, deciding on a retry, and when.
@Suite("Upstream error bodies")
struct UpstreamErrorBodyTests {
    struct BodyCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let body: [UInt8]
        let status: Int
        let expected: StreamError
    }

    static let cases: [BodyCase] = [
        BodyCase(
            testDescription: "OpenRouter's rate limit", body: bytes(#"{"error":{"code":429,"message":"Rate limit exceeded","metadata":{"headers":{"X-RateLimit-Limit":"20"}}}}"#),
            status: 429, expected: StreamError(code: "429", message: "Rate limit exceeded", metadata: #"{"headers":{"X-RateLimit-Limit":"20"}}"#, httpStatus: 429)
        ),
        BodyCase(
            testDescription: "moderation, with reasons and flagged input", body: bytes(#"{"error":{"code":403,"message":"Input flagged","metadata":{"reasons":["harassment"],"flagged_input":"…","provider_name":"OpenAI","model_slug":"openai/gpt-4o"}}}"#),
            status: 403, expected: StreamError(code: "403", message: "Input flagged", metadata: #"{"flagged_input":"…","model_slug":"openai/gpt-4o","provider_name":"OpenAI","reasons":["harassment"]}"#, httpStatus: 403)
        ),
        BodyCase(
            testDescription: "a string code keeps the response status", body: bytes(#"{"error":{"code":"invalid_api_key","message":"Incorrect API key provided","type":"invalid_request_error"}}"#),
            status: 401, expected: StreamError(code: "invalid_api_key", message: "Incorrect API key provided", httpStatus: 401)
        ),
        BodyCase(
            testDescription: "an error object without code or message", body: bytes(#"{"error":{}}"#),
            status: 402, expected: StreamError(code: "402", message: #"{"error":{}}"#, httpStatus: 402)
        ),
        BodyCase(testDescription: "Ollama's string error", body: bytes(#"{"error":"model 'x' not found"}"#), status: 404, expected: StreamError(code: "404", message: "model 'x' not found", httpStatus: 404)),
        BodyCase(testDescription: "a top-level message", body: bytes(#"{"object":"error","message":"bad","type":"BadRequestError","code":400}"#), status: 400, expected: StreamError(code: "400", message: "bad", httpStatus: 400)),
        BodyCase(testDescription: "an HTML page from a proxy", body: bytes("<html><body>502 Bad Gateway</body></html>\n"), status: 502, expected: StreamError(code: "502", message: "<html><body>502 Bad Gateway</body></html>", httpStatus: 502)),
        BodyCase(testDescription: "an empty body", body: [], status: 503, expected: StreamError(code: "503", message: "HTTP 503", httpStatus: 503)),
        BodyCase(
            testDescription: "a long body is cut to 300 bytes, not inside a character", body: bytes(String(repeating: "a", count: 299) + "é" + String(repeating: "b", count: 500)),
            status: 500, expected: StreamError(code: "500", message: String(repeating: "a", count: 299) + "…", httpStatus: 500)
        ),
        BodyCase(testDescription: "invalid UTF-8 does not fail", body: [0xFF, 0xFE, 0x41], status: 500, expected: StreamError(code: "500", message: "\u{FFFD}\u{FFFD}A", httpStatus: 500)),
    ]

    @Test("parses", arguments: cases)
    func parses(_ row: BodyCase) {
        #expect(UpstreamErrorBody.parse(row.body, httpStatus: row.status) == row.expected)
    }

    @Test("only timeouts, rate limits, server errors and transport errors are retried", arguments: [0, -1, 200, 400, 401, 402, 403, 404, 408, 413, 429, 500, 501, 502, 503, 504, 524])
    func retryable(status: Int) {
        let retried: Set = [0, -1, 408, 429, 500, 502, 503, 504]
        #expect(UpstreamErrorBody.isRetryable(status: status) == retried.contains(status))
    }

    @Test(
        "Retry-After is read as seconds; dates and nonsense are nil",
        arguments: [
            ("120", 120.0), (" 5 ", 5), ("0", 0), ("1.5", 1.5), (nil, nil), ("", nil), ("-1", nil), ("soon", nil),
            ("Wed, 21 Oct 2015 07:28:00 GMT", nil), ("1e3", nil), ("1.2.3", nil),
        ] as [(String?, Double?)]
    )
    func retryAfter(header: String?, expected: Double?) {
        #expect(UpstreamErrorBody.retryAfterSeconds(header) == expected)
    }
}
