import NTStorage
import NTSystem

/// Costs that arrive after the answer (``CostReconciler``). The spend triggers move the difference into the day's
/// and model's totals, and out of their estimated part.
extension SQLChatRepository {
    public func reconcileCost(messageID: String, record: GenerationRecord) async throws -> Bool {
        try await writing {
            defer { db.resetCachedStatements() }
            let update = try db.cachedStatement("""
                UPDATE messages SET cost_usd = ?1, cost_source = 'reconciled', prompt_tokens = COALESCE(?2, prompt_tokens),
                  completion_tokens = COALESCE(?3, completion_tokens), reasoning_tokens = COALESCE(?4, reasoning_tokens)
                WHERE id = ?5 AND role = 'assistant' AND status <> 'streaming'
                  AND (cost_source IS NULL OR cost_source = 'estimated')
                """)
            update.bind(1, record.totalCostUSD)
            update.bind(2, record.promptTokens)
            update.bind(3, record.completionTokens)
            update.bind(4, record.reasoningTokens)
            update.bind(5, messageID)
            _ = try update.step()
            return db.changes > 0
        }
    }

    public func unreconciledAnswers(endedAfter: UTCTime) throws -> [UnreconciledAnswer] {
        defer { db.resetCachedStatements() }
        let query = try db.cachedStatement("""
            SELECT id, generation_id, model FROM messages
            WHERE substr(created_at, 1, 10) >= ?1 AND updated_at >= ?2 AND role = 'assistant' AND status <> 'streaming'
              AND generation_id IS NOT NULL AND (cost_source IS NULL OR cost_source = 'estimated')
            ORDER BY updated_at
            """)
        // An answer can have started the day before it ended: its creation day is at most one day earlier.
        query.bind(1, UTCDay(epochSeconds: Int(endedAfter.unix)).adding(days: -1).description)
        query.bind(2, endedAfter.iso8601)
        var result: [UnreconciledAnswer] = []
        while try query.step() {
            result.append(UnreconciledAnswer(messageID: query.string(0) ?? "", generationID: query.string(1) ?? "", model: query.string(2)))
        }
        return result
    }
}
