/// What the upstream billed for one generation, from its own record (OpenRouter's `GET /generation?id=`).
public struct GenerationRecord: Sendable, Equatable {
    public var totalCostUSD: Double
    /// The provider's own token counts (`native_tokens_*`), when given.
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var reasoningTokens: Int?
    /// Whether the client ended the stream before the model did (billed for what was generated until then).
    public var cancelled: Bool

    public init(totalCostUSD: Double, promptTokens: Int? = nil, completionTokens: Int? = nil, reasoningTokens: Int? = nil,
                cancelled: Bool = false) {
        self.totalCostUSD = totalCostUSD
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.reasoningTokens = reasoningTokens
        self.cancelled = cancelled
    }
}

/// The answer to one look-up of a generation's record.
public enum GenerationLookup: Sendable, Equatable {
    /// The record, with its cost.
    case found(GenerationRecord)
    /// Not there (yet): OpenRouter writes the record a few seconds after the stream ends. Ask again later.
    case notYet
    /// This upstream keeps no such records (no endpoint, or it refuses the key): stop asking.
    case unsupported(String)
}

/// Where the reconciler asks for generation records; the OpenRouter adapter implements it.
public protocol GenerationRecords: Sendable {
    func generation(id: String) async -> GenerationLookup
}
