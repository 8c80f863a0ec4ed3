import FoundationEssentials

/// One message of a conversation, as sent upstream.
public struct ChatMessage: Sendable, Codable, Equatable {
    /// Who wrote the message.
    public enum Role: String, Sendable, Codable, Equatable {
        case system, user, assistant
    }

    /// Who wrote it; a system message, if any, comes first.
    public var role: Role
    /// Plain text; the appliance sends no images or tool results.
    public var content: String

    /// A message for the request body.
    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }
}

/// OpenRouter's unified `reasoning` parameter. Set `effort` or `maxTokens`, not both; `exclude` keeps the
/// reasoning out of the response while the model still reasons (and is still billed for it).
public struct ReasoningOptions: Sendable, Encodable, Equatable {
    /// How hard a reasoning model thinks; providers that take a token budget get a share of `max_tokens`.
    public enum Effort: String, Sendable, Codable, Equatable, CaseIterable {
        case none, minimal, low, medium, high, xhigh, max
    }

    /// The effort level, for providers that take one (OpenAI, Grok).
    public var effort: Effort?
    /// A reasoning token budget, for providers that take one (Anthropic, Gemini).
    public var maxTokens: Int?
    /// Whether to leave the reasoning text out of the stream.
    public var exclude: Bool?

    /// Reasoning options; leave all `nil` for the model's default.
    public init(effort: Effort? = nil, maxTokens: Int? = nil, exclude: Bool? = nil) {
        self.effort = effort
        self.maxTokens = maxTokens
        self.exclude = exclude
    }

    enum CodingKeys: String, CodingKey {
        case effort, exclude
        case maxTokens = "max_tokens"
    }
}

/// The body of `POST /chat/completions`. Unset options are left out, so the model's defaults apply
/// (and OpenAI-compatible servers that do not know a parameter never see it).
public struct ChatCompletionRequest: Sendable, Encodable, Equatable {
    /// The model id, e.g. `anthropic/claude-sonnet-4`.
    public var model: String
    /// The conversation, oldest first, already trimmed to fit the context window.
    public var messages: [ChatMessage]
    /// Whether to stream Server-Sent Events; the chat engine always does.
    public var stream: Bool
    /// The cap on completion tokens (reasoning included), sent as `max_tokens`; the budget check
    /// prices the worst case from it.
    public var maxTokens: Int?
    /// Sampling temperature (0–2 at OpenRouter).
    public var temperature: Double?
    /// Nucleus sampling, sent as `top_p`.
    public var topP: Double?
    /// Sequences that end the completion early (finish reason `stop`).
    public var stop: [String]?
    /// Reasoning effort or budget, for reasoning models; ignored by others.
    public var reasoning: ReasoningOptions?
    /// A stable, anonymous end-user id, which OpenRouter passes on to providers for abuse tracking.
    public var user: String?

    /// A request; only `model` and `messages` are required, and it streams unless told otherwise.
    public init(
        model: String, messages: [ChatMessage], stream: Bool = true, maxTokens: Int? = nil,
        temperature: Double? = nil, topP: Double? = nil, stop: [String]? = nil,
        reasoning: ReasoningOptions? = nil, user: String? = nil
    ) {
        self.model = model
        self.messages = messages
        self.stream = stream
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.stop = stop
        self.reasoning = reasoning
        self.user = user
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, stream, temperature, stop, reasoning, user
        case maxTokens = "max_tokens"
        case topP = "top_p"
    }

    /// The body as compact JSON with sorted keys (stable bytes for logs and tests), slashes unescaped.
    public func jsonBytes() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }
}
