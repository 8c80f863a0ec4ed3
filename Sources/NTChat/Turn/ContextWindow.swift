import NTOpenRouter

/// Trims the history sent upstream to the model's context window, oldest messages first.
///
/// The room is the model's context length minus the answer's `max_tokens`; tokens are estimated with
/// ``TokenEstimate`` (character classes at measured rates; ADR 0015). The system prompt always stays, and so does the newest
/// message (the question being asked), even when they alone do not fit: the upstream then answers with its own
/// context-length error. The kept history is the newest messages that fit; if it would then begin with an
/// answer, that answer is left out too, so the history starts with a user's message.
public enum ContextWindow {
    /// What is sent and what was left out.
    public struct Fitted: Sendable, Equatable {
        /// The system prompt (if any), then the kept history, oldest first.
        public var messages: [ChatMessage]
        /// How many history messages were left out.
        public var trimmed: Int
        /// The estimated prompt tokens of `messages`.
        public var promptTokens: Int
    }

    /// Fits `history` (oldest first, without the system prompt) and `system` into `contextLength - maxTokens`
    /// tokens; a nil `contextLength` (unknown) keeps everything.
    public static func fit(system: ChatMessage?, history: [ChatMessage], contextLength: Int?, maxTokens: Int) -> Fitted {
        let head = system.map { [$0] } ?? []
        let systemTokens = system.map(TokenEstimate.tokens(in:)) ?? 0
        guard let contextLength else {
            return Fitted(messages: head + history, trimmed: 0, promptTokens: systemTokens + TokenEstimate.tokens(in: history))
        }
        let room = contextLength - max(0, maxTokens)
        var used = systemTokens
        var firstKept = history.count
        for index in history.indices.reversed() {
            let tokens = TokenEstimate.tokens(in: history[index])
            if index == history.count - 1 || used + tokens <= room {
                used += tokens
                firstKept = index
            } else {
                break
            }
        }
        if firstKept > 0, firstKept < history.count - 1, history[firstKept].role == .assistant {
            used -= TokenEstimate.tokens(in: history[firstKept])
            firstKept += 1
        }
        return Fitted(messages: head + history[firstKept...], trimmed: firstKept, promptTokens: used)
    }
}

/// What a turn will send upstream and what it may cost, decided before anything is stored.
struct TurnPlan: Sendable {
    var body: ChatCompletionRequest
    /// History messages left out to fit the context window, and their ids (the oldest ones).
    var trimmed: Int
    var trimmedIDs: [String]
    /// The `max_tokens` sent.
    var maxTokens: Int
    /// The estimated tokens of what is sent, and the model's context length (nil: unknown).
    var promptTokens: Int
    var contextLength: Int?
    /// The request's most possible cost, nil when the model's prices are unknown.
    var worstCaseUSD: Double?

    /// Plans a request: the conversation's system prompt and stored history (empty and failed answers left out),
    /// trimmed to the model's context window for `max_tokens` (the request's, else `defaultMaxTokens` capped by the
    /// model's `max_completion_tokens`), priced at its worst case.
    static func make(model: String, systemPrompt: String?, history: [Message], newContent: String?,
                     requestedMaxTokens: Int?, defaultMaxTokens: Int, temperature: Double?, info: ModelInfo?) -> TurnPlan {
        var messages: [ChatMessage] = []
        var ids: [String] = []
        for message in history where message.role != .system {
            guard message.role == .user || !message.content.isEmpty else { continue }
            messages.append(ChatMessage(role: ChatMessage.Role(rawValue: message.role.rawValue) ?? .user, content: message.content))
            ids.append(message.id)
        }
        if let newContent { messages.append(ChatMessage(role: .user, content: newContent)) }
        let maxTokens = requestedMaxTokens ?? min(max(1, defaultMaxTokens), info?.maxCompletionTokens.flatMap { $0 > 0 ? $0 : nil } ?? .max)
        let system = systemPrompt.flatMap { $0.isEmpty ? nil : ChatMessage(role: .system, content: $0) }
        let fitted = ContextWindow.fit(system: system, history: messages, contextLength: info?.contextLength, maxTokens: maxTokens)
        var body = ChatCompletionRequest(model: model, messages: fitted.messages)
        body.maxTokens = maxTokens
        body.temperature = temperature
        return TurnPlan(
            body: body, trimmed: fitted.trimmed, trimmedIDs: Array(ids.prefix(fitted.trimmed)), maxTokens: maxTokens,
            promptTokens: fitted.promptTokens, contextLength: info?.contextLength,
            worstCaseUSD: info?.worstCaseCost(promptTokens: fitted.promptTokens, maxTokens: maxTokens)
        )
    }
}
