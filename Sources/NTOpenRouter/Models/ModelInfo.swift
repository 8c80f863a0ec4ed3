/// A model the upstream offers, with the prices the budget check and the cost fallback need.
///
/// Prices are USD per token (per request for `requestPrice`); `nil` means unknown, which is not free:
/// a free model has price `0`. The `Codable` conformance is this struct's own flat shape, for caching;
/// ``parseModelsResponse(_:)`` reads OpenRouter's wire format.
public struct ModelInfo: Sendable, Codable, Equatable {
    /// The model id to put in a request, e.g. `openai/gpt-4o`.
    public var id: String
    /// A display name; the id when the upstream gives none.
    public var name: String
    /// The context window in tokens.
    public var contextLength: Int?
    /// USD per prompt (input) token.
    public var promptPrice: Double?
    /// USD per completion (output) token, reasoning tokens included.
    public var completionPrice: Double?
    /// A fixed price per request, charged on top of tokens by a few models.
    public var requestPrice: Double?
    /// OpenRouter's `internal_reasoning` price; informational, see ``cost(usage:)``.
    public var reasoningPrice: Double?
    /// The price of a prompt token read from the provider's cache (`input_cache_read`).
    public var cacheReadPrice: Double?
    /// The most completion tokens the top provider returns (`top_provider.max_completion_tokens`).
    public var maxCompletionTokens: Int?

    /// A model description, e.g. for a configured OpenAI-compatible server that has no model list.
    public init(
        id: String, name: String, contextLength: Int? = nil, promptPrice: Double? = nil,
        completionPrice: Double? = nil, requestPrice: Double? = nil, reasoningPrice: Double? = nil,
        cacheReadPrice: Double? = nil, maxCompletionTokens: Int? = nil
    ) {
        self.id = id
        self.name = name
        self.contextLength = contextLength
        self.promptPrice = promptPrice
        self.completionPrice = completionPrice
        self.requestPrice = requestPrice
        self.reasoningPrice = reasoningPrice
        self.cacheReadPrice = cacheReadPrice
        self.maxCompletionTokens = maxCompletionTokens
    }

    /// The most a request can cost: every prompt token at the prompt price (no cache discount), `maxTokens`
    /// completion tokens, plus the request price. `nil` when the prompt or completion price is unknown,
    /// so the caller can refuse or skip the budget check knowingly. Negative counts count as 0.
    public func worstCaseCost(promptTokens: Int, maxTokens: Int) -> Double? {
        guard let promptPrice, let completionPrice else { return nil }
        return Double(max(0, promptTokens)) * promptPrice + Double(max(0, maxTokens)) * completionPrice
            + (requestPrice ?? 0)
    }

    /// What a finished request cost by list price, for upstreams whose usage carries no `cost`
    /// (prefer `usage.cost` when present: it knows discounts, BYOK and provider-specific prices).
    ///
    /// - Cached prompt tokens are charged at ``cacheReadPrice`` when known, else at the prompt price.
    /// - Reasoning tokens are charged at the completion price as part of `completionTokens`, where
    ///   OpenRouter and OpenAI count them; ``reasoningPrice`` is not applied. Only when an upstream
    ///   reports more reasoning than completion tokens (so it cannot have included them) are they added.
    ///
    /// Returns `nil` when the prompt or completion price is unknown.
    public func cost(usage: Usage) -> Double? {
        guard let promptPrice, let completionPrice else { return nil }
        let prompt = max(0, usage.promptTokens)
        let cached = min(prompt, max(0, usage.cachedTokens ?? 0))
        let reasoning = max(0, usage.reasoningTokens ?? 0)
        var completion = max(0, usage.completionTokens)
        if reasoning > completion { completion += reasoning }
        return Double(prompt - cached) * promptPrice + Double(cached) * (cacheReadPrice ?? promptPrice)
            + Double(completion) * completionPrice + (requestPrice ?? 0)
    }
}
