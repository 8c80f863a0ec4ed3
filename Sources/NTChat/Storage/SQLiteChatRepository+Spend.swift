import NTStorage

/// Spend queries for budgets and `GET /api/usage`: the recorded `cost_usd` of answers by `created_at` (RFC 3339
/// UTC text, so a day is the range `[YYYY-MM-DD, next day)`), plus the cost of deleted answers kept in
/// `removed_spend` (migration 3). The `messages_spend` index covers the range scans.
extension SQLiteChatRepository: SpendStore {
    /// Priced answers, kept and deleted, as one row source with columns `created_at, model, cost_usd`; binds
    /// `?1` (from, inclusive) and `?2` (to, exclusive).
    static let pricedAnswers = """
        SELECT created_at, model, cost_usd FROM messages WHERE cost_usd IS NOT NULL AND created_at >= ?1 AND created_at < ?2
        UNION ALL
        SELECT created_at, model, cost_usd FROM removed_spend WHERE created_at >= ?1 AND created_at < ?2
        """

    public func spend(day: UTCDay, conversationID: String?) throws -> Spend {
        let period = try db.prepare("""
            SELECT COALESCE(SUM(CASE WHEN created_at >= ?3 AND created_at < ?4 THEN cost_usd END), 0), COALESCE(SUM(cost_usd), 0)
            FROM (\(Self.pricedAnswers))
            """)
        period.bind(1, day.firstOfMonth.description)
        period.bind(2, day.firstOfNextMonth.description)
        period.bind(3, day.description)
        period.bind(4, day.adding(days: 1).description)
        var spend = Spend()
        if try period.step() {
            spend.today = period.double(0)
            spend.month = period.double(1)
        }
        if let conversationID {
            let conversation = try db.prepare("""
                SELECT (SELECT COALESCE(SUM(cost_usd), 0) FROM messages WHERE conversation_id = ?1)
                     + (SELECT COALESCE(SUM(cost_usd), 0) FROM removed_spend WHERE conversation_id = ?1)
                """)
            conversation.bind(1, conversationID)
            if try conversation.step() { spend.conversation = conversation.double(0) }
        }
        return spend
    }

    public func spendByDay(from: UTCDay, to: UTCDay) throws -> [UTCDay: Double] {
        let query = try db.prepare("SELECT substr(created_at, 1, 10), SUM(cost_usd) FROM (\(Self.pricedAnswers)) GROUP BY 1")
        query.bind(1, from.description)
        query.bind(2, to.description)
        var result: [UTCDay: Double] = [:]
        while try query.step() {
            if let text = query.string(0), let day = UTCDay(parsing: text) { result[day, default: 0] += query.double(1) }
        }
        return result
    }

    public func spendByModel(from: UTCDay, to: UTCDay) throws -> [ModelSpend] {
        let query = try db.prepare("""
            SELECT COALESCE(model, ''), SUM(cost_usd), COUNT(*) FROM (\(Self.pricedAnswers)) GROUP BY 1 ORDER BY 2 DESC, 1
            """)
        query.bind(1, from.description)
        query.bind(2, to.description)
        var result: [ModelSpend] = []
        while try query.step() {
            result.append(ModelSpend(model: query.string(0) ?? "", spendUSD: query.double(1), messages: query.int(2)))
        }
        return result
    }

    /// The query plan of the spend query, for a test that checks it reads the covering index, not the messages.
    public func spendQueryPlan() throws -> [String] {
        let query = try db.prepare("EXPLAIN QUERY PLAN SELECT SUM(cost_usd) FROM (\(Self.pricedAnswers))")
        query.bind(1, "2026-01-01")
        query.bind(2, "2026-02-01")
        var lines: [String] = []
        while try query.step() { lines.append(query.string(3) ?? "") }
        return lines
    }
}
