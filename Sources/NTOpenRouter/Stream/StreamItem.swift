/// What one OpenRouter stream event means to the chat engine, in the order the chunk carried it.
public enum StreamItem: Sendable, Equatable {
    /// The first chunk was seen: its generation id (`gen-…` at OpenRouter), the model that answers and,
    /// at OpenRouter, the provider serving it. Emitted once per ``ChunkDecoder``.
    case started(id: String, model: String?, provider: String?)
    /// Answer text (`delta.content`); never empty.
    case content(String)
    /// Reasoning text: `delta.reasoning`, or the text of `reasoning_details` entries when `reasoning` is
    /// absent; never empty.
    case reasoning(String)
    /// The choice ended: `finish_reason` (`stop`, `length`, `tool_calls`, `content_filter`, `error`) and
    /// the provider's own reason when given.
    case finished(reason: String, nativeReason: String?)
    /// Token counts and cost, normally from a final chunk with an empty `choices` array.
    case usage(Usage)
    /// A top-level `error` object inside a chunk: the upstream failed after the HTTP status was sent.
    /// The stream ends after it, with or without `[DONE]`.
    case upstreamError(StreamError)
    /// The `data: [DONE]` event: the upstream finished the stream cleanly.
    case done
    /// Event data that is not JSON or not a chunk, described; the caller decides (usually an error).
    case malformed(String)
}

/// Token counts of a generation, as OpenRouter reports them in the usage chunk.
///
/// `completionTokens` already includes `reasoningTokens` at OpenRouter (and at OpenAI). The `Codable`
/// conformance is this struct's own flat shape, for storage and IPC; the wire format is decoded internally.
public struct Usage: Sendable, Equatable, Codable {
    /// Input tokens, cached ones included.
    public var promptTokens: Int
    /// Output tokens, reasoning included.
    public var completionTokens: Int
    /// Prompt plus completion tokens, as the upstream reports it.
    public var totalTokens: Int
    /// Prompt tokens read from the provider's cache (`prompt_tokens_details.cached_tokens`).
    public var cachedTokens: Int?
    /// Reasoning tokens (`completion_tokens_details.reasoning_tokens`), part of `completionTokens`.
    public var reasoningTokens: Int?
    /// What OpenRouter charged, in USD; `nil` from upstreams that do not say (price × tokens then).
    public var cost: Double?
    /// Whether the request ran on the user's own provider key.
    public var isByok: Bool?

    /// Builds a usage record, e.g. from stored columns or in tests.
    public init(
        promptTokens: Int, completionTokens: Int, totalTokens: Int, cachedTokens: Int? = nil,
        reasoningTokens: Int? = nil, cost: Double? = nil, isByok: Bool? = nil
    ) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
        self.cachedTokens = cachedTokens
        self.reasoningTokens = reasoningTokens
        self.cost = cost
        self.isByok = isByok
    }
}

/// An error reported by the upstream, mid-stream or as an HTTP error body.
public struct StreamError: Sendable, Equatable, Error {
    /// The error code as sent: usually an HTTP status (`"429"`), sometimes a word (`"server_error"`).
    public var code: String
    /// The upstream's message, meant for people; may be empty.
    public var message: String
    /// The `metadata` object as compact JSON with sorted keys (e.g. moderation `reasons`), if any.
    public var metadata: String?
    /// The HTTP status this error stands for: the response status for errors before the stream, otherwise
    /// the code when it is numeric.
    public var httpStatus: Int?

    /// - Parameter httpStatus: defaults to `code` read as an integer, when it is one.
    public init(code: String, message: String, metadata: String? = nil, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.metadata = metadata
        self.httpStatus = httpStatus ?? Int(code)
    }
}
