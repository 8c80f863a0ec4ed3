import NTLog
import NTOpenRouter

/// One request to the upstream's chat completions endpoint, already decided (model, history, limits).
public struct UpstreamChatRequest: Sendable {
    public var body: ChatCompletionRequest
    public var requestID: String

    public init(body: ChatCompletionRequest, requestID: String) {
        self.body = body
        self.requestID = requestID
    }
}

/// What an upstream stream yields, in order; it always ends with exactly one `.end`.
public enum UpstreamEvent: Sendable {
    /// The response headers arrived with status 200 (generation id from `X-Generation-Id`, if sent).
    case opened(generationID: String?)
    /// One decoded item of the SSE stream.
    case item(StreamItem)
    /// The stream is over: nil after `[DONE]` or a clean end, otherwise why it failed.
    case end(UpstreamFailure?)
}

/// Why an upstream call failed, in the terms the chat API reports.
public struct UpstreamFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable code for clients: `upstream_429`, `timeout_first_byte`, `connect`, `no_api_key`, `stream_cut`, …
    public var code: String
    /// What went wrong, in words. Redacted at creation (the log redactor, with the configured key): upstream
    /// error bodies are stored with the answer, exported and shown in the browser, and a proxy or server may echo
    /// the request's `Authorization` header or the key in them.
    public var message: String
    /// The HTTP status the upstream answered, when it answered one.
    public var httpStatus: Int?
    /// Whether trying again later may succeed.
    public var retryable: Bool
    /// Seconds the upstream asked to wait (`Retry-After`).
    public var retryAfterSeconds: Double?

    public init(code: String, message: String, httpStatus: Int? = nil, retryable: Bool, retryAfterSeconds: Double? = nil) {
        self.code = code
        self.message = NTLogging.redactor.redact(message)
        self.httpStatus = httpStatus
        self.retryable = retryable
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(code): \(message)" }
}

/// The upstream as the chat domain sees it; ``OpenRouterUpstream`` speaks to OpenRouter (or any OpenAI-compatible
/// server) over libcurl. Ending the iteration of a stream aborts the transfer, which is what stops billing.
public protocol ChatUpstream: Sendable {
    func stream(_ request: UpstreamChatRequest) -> AsyncStream<UpstreamEvent>
    func listModels() async throws -> [ModelInfo]
}
