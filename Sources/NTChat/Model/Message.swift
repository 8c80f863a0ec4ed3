/// Where an answer stands. Only `streaming` changes; every other state is final.
public enum MessageStatus: String, Codable, Sendable, CaseIterable {
    /// The answer is being received; its text in the database is flushed every few hundred milliseconds.
    case streaming
    /// The upstream ended the answer normally.
    case complete
    /// The user stopped it, or the browser went away; the text received so far is kept.
    case stopped
    /// The upstream failed (before or during the answer); `error` says why, the partial text is kept.
    case error
    /// The process streaming it died (crash, kill -9); found and marked by the next web worker.
    case interrupted
}

/// Where an answer's cost comes from.
public enum CostSource: String, Codable, Sendable, CaseIterable {
    /// The upstream's usage chunk at the end of the stream (its `cost`, or its token counts × the model's prices).
    case reported
    /// OpenRouter's record of the generation (`GET /generation`), fetched after an answer that ended without one.
    case reconciled
    /// Tokens estimated from the text × the model's prices, until (if ever) the upstream's record replaces it.
    case estimated
}

/// Who wrote a message.
public enum MessageRole: String, Codable, Sendable {
    case system, user, assistant
}

/// One message as stored and as the API returns it (snake_case JSON).
public struct Message: Codable, Sendable, Equatable {
    public var id: String
    public var conversationID: String
    /// The message this one follows in the conversation's tree (ADR 0017); nil for a first message.
    public var parentID: String? = nil
    /// Every message sharing this one's parent, itself included, oldest first: the alternatives a page can switch
    /// between. Filled by the API's reads (the visible path, the tree); nil elsewhere (exports leave it out, as it
    /// follows from the parents).
    public var siblingIDs: [String]? = nil
    public var role: MessageRole
    public var content: String
    public var reasoning: String
    public var model: String?
    public var status: MessageStatus
    public var finishReason: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var reasoningTokens: Int?
    public var cachedTokens: Int?
    public var costUSD: Double?
    /// Where `costUSD` comes from; nil when there is no cost (user messages, unpriced answers).
    public var costSource: CostSource?
    public var ttftMs: Int?
    public var durationMs: Int?
    public var generationID: String?
    public var requestID: String?
    public var error: String?
    public var createdAt: String
    public var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, role, content, reasoning, model, status, error
        case conversationID = "conversation_id"
        case parentID = "parent_id"
        case siblingIDs = "sibling_ids"
        case finishReason = "finish_reason"
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case reasoningTokens = "reasoning_tokens"
        case cachedTokens = "cached_tokens"
        case costUSD = "cost_usd"
        case costSource = "cost_source"
        case ttftMs = "ttft_ms"
        case durationMs = "duration_ms"
        case generationID = "generation_id"
        case requestID = "request_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Every key is always present (null when unknown), so clients and exports see one stable shape; only
    /// `sibling_ids` is left out when it was not computed (exports).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(conversationID, forKey: .conversationID)
        try c.encode(parentID, forKey: .parentID)
        try c.encodeIfPresent(siblingIDs, forKey: .siblingIDs)
        try c.encode(role, forKey: .role)
        try c.encode(content, forKey: .content)
        try c.encode(reasoning, forKey: .reasoning)
        try c.encode(model, forKey: .model)
        try c.encode(status, forKey: .status)
        try c.encode(finishReason, forKey: .finishReason)
        try c.encode(promptTokens, forKey: .promptTokens)
        try c.encode(completionTokens, forKey: .completionTokens)
        try c.encode(reasoningTokens, forKey: .reasoningTokens)
        try c.encode(cachedTokens, forKey: .cachedTokens)
        try c.encode(costUSD, forKey: .costUSD)
        try c.encode(costSource, forKey: .costSource)
        try c.encode(ttftMs, forKey: .ttftMs)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(generationID, forKey: .generationID)
        try c.encode(requestID, forKey: .requestID)
        try c.encode(error, forKey: .error)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

/// How an answer ended, written in one update when the stream is over.
public struct MessageOutcome: Sendable {
    public var status: MessageStatus
    public var content: String
    public var reasoning: String
    public var finishReason: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var reasoningTokens: Int?
    public var cachedTokens: Int?
    public var costUSD: Double?
    public var costSource: CostSource?
    public var ttftMs: Int?
    public var durationMs: Int?
    public var generationID: String?
    public var error: String?

    public init(status: MessageStatus, content: String, reasoning: String) {
        self.status = status
        self.content = content
        self.reasoning = reasoning
    }
}
