/// What the browser (or a script) receives while an answer streams; each case is one SSE event of the chat API.
public enum ChatEvent: Sendable, Equatable {
    /// First event: the ids of everything the turn created.
    case meta(Meta)
    /// A piece of the answer's text.
    case delta(String)
    /// A piece of the model's reasoning text (OpenRouter `delta.reasoning`).
    case reasoning(String)
    /// Tokens and cost of the answer, once the upstream reports them.
    case usage(UsageReport)
    /// The answer's final state (`complete`, `stopped`, `error`) and the upstream's finish reason.
    case done(status: MessageStatus, finishReason: String?)
    /// Why the answer failed; a `done` with status `error` follows.
    case error(code: String, message: String, retryable: Bool)
    /// Nothing happened for a while; sent as an SSE comment so proxies keep the connection and a vanished client
    /// is noticed (the write fails) even while the upstream is silent.
    case keepAlive
    /// The answer's text so far, first to a client that attaches to an answer already streaming (another tab, a
    /// reloaded page); what follows are the usual events from that point on.
    case snapshot(content: String, reasoning: String)
    /// Something the server tells every attached page about the answer (`shutdown`: the server is stopping; the
    /// answer ends soon, stored as it is).
    case notice(kind: String, message: String)

    public struct Meta: Sendable, Equatable, Codable {
        public let conversationID: String
        public let userMessageID: String?
        public let assistantMessageID: String
        /// The message the answer follows in the tree (the user message it answers; ADR 0017).
        public var parentID: String?
        public let requestID: String
        public let model: String
        /// How many history messages were left out to fit the model's context window, and which (oldest first).
        public let trimmedMessages: Int
        public var trimmedMessageIDs: [String] = []
        /// The estimated tokens sent and the model's context length (nil: unknown), for the page's context gauge.
        public var promptTokens: Int = 0
        public var contextLength: Int?
        /// The `max_tokens` sent upstream (the request's, or `budget.default_max_tokens` capped by the model).
        public let maxTokens: Int

        enum CodingKeys: String, CodingKey {
            case model
            case conversationID = "conversation_id"
            case userMessageID = "user_message_id"
            case assistantMessageID = "assistant_message_id"
            case parentID = "parent_id"
            case requestID = "request_id"
            case trimmedMessages = "trimmed_messages"
            case trimmedMessageIDs = "trimmed_message_ids"
            case promptTokens = "prompt_tokens_estimate"
            case contextLength = "context_length"
            case maxTokens = "max_tokens"
        }
    }

    public struct UsageReport: Sendable, Equatable, Codable {
        public let promptTokens: Int
        public let completionTokens: Int
        public let reasoningTokens: Int
        public let costUSD: Double?
        /// `reported`, or `estimated` for an answer the upstream sent no usage for (see ``CostSource``).
        public let costSource: CostSource?
        /// Whether spend, this answer included, reached `budget.warn_ratio` of a budget.
        public let budgetWarning: Bool

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
            case reasoningTokens = "reasoning_tokens"
            case costUSD = "cost_usd"
            case costSource = "cost_source"
            case budgetWarning = "budget_warning"
        }
    }
}
