/// Turns decoded records into validated ``ExportedConversation``s; every refusal names the field, and the limit
/// with the setting that sets it.
struct ImportValidator {
    let limits: ImportLimits

    /// The most one answer can have cost: far above any real answer, and far enough below the largest double that
    /// sums over a month stay finite (an infinite sum cannot be encoded as JSON, and would block every budget).
    static let maxCostUSD = 10_000.0
    /// The largest token count or duration in milliseconds a record may carry (a thousand million).
    static let maxCount = 1_000_000_000

    /// The message stored for an answer that was still streaming when it was exported.
    static let interruptedByExport = "the answer was still streaming when it was exported"

    /// Checks the structure (ids, roles, statuses, numbers), builds the conversation, then applies ``check``.
    /// `latestAccepted`: the latest timestamp accepted (now plus the clock skew).
    func validate(_ c: ImportedConversation, _ messages: [ImportedMessage], links: [ParentLink],
                  latestAccepted: String) throws(ImportProblem) -> ExportedConversation {
        try id(c.id, "conversation.id")
        guard messages.count <= limits.maxMessages else {
            throw ImportProblem("conversation has \(messages.count) messages; at most \(limits.maxMessages) are accepted")
        }
        var seen: Set<String> = []
        var result: [Message] = []
        result.reserveCapacity(messages.count)
        for (index, m) in messages.enumerated() {
            let at = "messages[\(index)]"
            try id(m.id, "\(at).id")
            guard seen.insert(m.id).inserted else { throw ImportProblem("\(at).id: \(m.id) appears twice in this conversation") }
            if let owner = m.conversationID, owner != c.id {
                throw ImportProblem("\(at).conversation_id: \(owner) is not the conversation it is listed under (\(c.id))")
            }
            guard let role = MessageRole(rawValue: m.role) else {
                throw ImportProblem("\(at).role: \"\(m.role.prefix(60))\" is not one of system, user, assistant")
            }
            guard var status = MessageStatus(rawValue: m.status) else {
                throw ImportProblem("\(at).status: \"\(m.status.prefix(60))\" is not one of \(MessageStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            for (field, value) in [("prompt_tokens", m.promptTokens), ("completion_tokens", m.completionTokens),
                                   ("reasoning_tokens", m.reasoningTokens), ("cached_tokens", m.cachedTokens),
                                   ("ttft_ms", m.ttftMs), ("duration_ms", m.durationMs)] {
                if let value, value < 0 { throw ImportProblem("\(at).\(field): must not be negative") }
                if let value, value > Self.maxCount { throw ImportProblem("\(at).\(field): \(value) is more than \(Self.maxCount)") }
            }
            if let cost = m.costUSD, !(cost.isFinite && cost >= 0 && cost <= Self.maxCostUSD) {
                throw ImportProblem("\(at).cost_usd: must be a number from 0 to \(Int(Self.maxCostUSD)) (US dollars for one answer)")
            }
            // Files written before costs had a source hold only reported costs.
            var costSource: CostSource?
            if let text = m.costSource {
                guard let known = CostSource(rawValue: text) else {
                    throw ImportProblem("\(at).cost_source: \"\(text.prefix(60))\" is not one of \(CostSource.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                costSource = known
            }
            if m.costUSD == nil { costSource = nil } else if costSource == nil { costSource = .reported }
            var error = m.error
            if status == .streaming {
                // Nothing will ever finish it in this database.
                status = .interrupted
                error = error ?? Self.interruptedByExport
            }
            result.append(Message(
                id: m.id, conversationID: c.id, role: role, content: Self.storable(m.content),
                reasoning: Self.storable(m.reasoning ?? ""), model: m.model, status: status, finishReason: m.finishReason, promptTokens: m.promptTokens,
                completionTokens: m.completionTokens, reasoningTokens: m.reasoningTokens, cachedTokens: m.cachedTokens,
                costUSD: m.costUSD, costSource: costSource, ttftMs: m.ttftMs, durationMs: m.durationMs, generationID: m.generationID,
                requestID: m.requestID, error: error.map(Self.storable), createdAt: m.createdAt, updatedAt: m.updatedAt
            ))
        }
        let conversation = Conversation(
            id: c.id, title: Self.storable(c.title), model: c.model, systemPrompt: c.systemPrompt.map(Self.storable), createdAt: c.createdAt,
            updatedAt: c.updatedAt, messageCount: result.count, costUSD: result.reduce(0) { $0 + ($1.costUSD ?? 0) }
        )
        var archived = ExportedConversation(conversation: conversation, messages: result)
        try check(archived, latestAccepted: latestAccepted)
        archived.conversation.currentLeafID = try linkParents(&archived.messages, links: links, currentLeafID: c.currentLeafID)
        return archived
    }

    /// The checks that apply to a conversation however it was obtained: text lengths (the API's limits) and
    /// timestamps (the exporter's form, not past `latestAccepted` when given).
    func check(_ archived: ExportedConversation, latestAccepted: String?) throws(ImportProblem) {
        let c = archived.conversation
        try text(c.title, "conversation.title", max: limits.maxTitleCharacters, setting: "limits.title_max_chars")
        try text(c.systemPrompt, "conversation.system_prompt", max: limits.maxSystemPromptCharacters)
        try short(c.model, "conversation.model", max: limits.maxModelIDCharacters)
        try timestamp(c.createdAt, "conversation.created_at", latestAccepted)
        try timestamp(c.updatedAt, "conversation.updated_at", latestAccepted)
        for (index, m) in archived.messages.enumerated() {
            let at = "messages[\(index)]"
            for (field, value) in [("content", m.content), ("reasoning", m.reasoning), ("error", m.error)] {
                try text(value, "\(at).\(field)", max: limits.maxMessageCharacters, setting: "limits.message_max_chars")
            }
            try short(m.model, "\(at).model", max: limits.maxModelIDCharacters)
            for (field, value) in [("finish_reason", m.finishReason), ("generation_id", m.generationID), ("request_id", m.requestID)] {
                try short(value, "\(at).\(field)", max: limits.maxShortFieldCharacters)
            }
            try timestamp(m.createdAt, "\(at).created_at", latestAccepted)
            try timestamp(m.updatedAt, "\(at).updated_at", latestAccepted)
        }
    }

    /// The text without NUL characters, which SQLite text cannot hold (it would cut the text there).
    static func storable(_ text: String) -> String {
        guard text.utf8.contains(0) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value != 0 }))
    }

    func id(_ value: String, _ field: String) throws(ImportProblem) {
        guard Identifiers.isValid(value) else {
            throw ImportProblem("\(field): \"\(value.prefix(60))\" is not an id (36 characters: lower-case hex digits and dashes)")
        }
    }

    /// At most `max` characters, counted as the API counts them (the UTF-8 length bounds the character count).
    func text(_ value: String?, _ field: String, max: Int, setting: String? = nil) throws(ImportProblem) {
        guard let value, value.utf8.count > max, value.count > max else { return }
        throw ImportProblem("\(field): longer than \(max) characters" + (setting.map { " (\($0))" } ?? ""))
    }

    func short(_ value: String?, _ field: String, max: Int) throws(ImportProblem) {
        guard let value else { return }
        try text(value, field, max: max)
        if value.utf8.contains(0) { throw ImportProblem("\(field): must not contain NUL characters") }
    }

    func timestamp(_ value: String, _ field: String, _ latestAccepted: String?) throws(ImportProblem) {
        if let problem = ExportTimestamp.problem(value) {
            throw ImportProblem("\(field): \"\(value.prefix(60))\" \(problem)")
        }
        if let latestAccepted, value > latestAccepted {
            throw ImportProblem("\(field): \(value) is in the future (this server's clock allows at most "
                                + "\(ImportLimits.maxClockSkewSeconds / 60) minutes ahead, up to \(latestAccepted))")
        }
    }
}
