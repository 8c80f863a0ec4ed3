import NTStorage
import NTSystem

/// Spend queries for budgets and `GET /api/usage`, read from the running totals per UTC day and model
/// (`spend_by_day`, migration 7), which triggers keep equal to the recorded `cost_usd` of every answer, kept and
/// deleted (`removed_spend`). A day's or a month's spend costs at most 31 × models rows, however many answers
/// are stored; only a conversation's own spend reads its messages.
extension SQLiteChatRepository: SpendStore {
    public func spend(day: UTCDay, conversationID: String?) throws -> Spend {
        defer { db.resetCachedStatements() }
        let period = try db.cachedStatement("""
            SELECT COALESCE(SUM(CASE WHEN day = ?3 THEN cost_usd END), 0), COALESCE(SUM(cost_usd), 0),
                   COALESCE(SUM(CASE WHEN day = ?3 THEN estimated_usd END), 0), COALESCE(SUM(estimated_usd), 0)
            FROM spend_by_day WHERE day >= ?1 AND day < ?2
            """)
        period.bind(1, day.firstOfMonth.description)
        period.bind(2, day.firstOfNextMonth.description)
        period.bind(3, day.description)
        var spend = Spend()
        if try period.step() {
            spend.today = period.double(0)
            spend.month = period.double(1)
            spend.estimatedToday = period.double(2)
            spend.estimatedMonth = period.double(3)
        }
        if let conversationID {
            let conversation = try db.cachedStatement("""
                SELECT (SELECT COALESCE(SUM(cost_usd), 0) FROM messages WHERE conversation_id = ?1)
                     + (SELECT COALESCE(SUM(cost_usd), 0) FROM removed_spend WHERE conversation_id = ?1)
                """)
            conversation.bind(1, conversationID)
            if try conversation.step() { spend.conversation = conversation.double(0) }
        }
        return spend
    }

    public func spendByDay(from: UTCDay, to: UTCDay) throws -> [UTCDay: Double] {
        defer { db.resetCachedStatements() }
        let query = try db.cachedStatement(
            "SELECT day, SUM(cost_usd) FROM spend_by_day WHERE day >= ?1 AND day < ?2 AND answers > 0 GROUP BY day"
        )
        query.bind(1, from.description)
        query.bind(2, to.description)
        var result: [UTCDay: Double] = [:]
        while try query.step() {
            if let text = query.string(0), let day = UTCDay(parsing: text) { result[day, default: 0] += query.double(1) }
        }
        return result
    }

    public func spendByModel(from: UTCDay, to: UTCDay) throws -> [ModelSpend] {
        defer { db.resetCachedStatements() }
        let query = try db.cachedStatement("""
            SELECT model, SUM(cost_usd), SUM(answers) FROM spend_by_day WHERE day >= ?1 AND day < ?2
            GROUP BY model HAVING SUM(answers) > 0 ORDER BY 2 DESC, 1
            """)
        query.bind(1, from.description)
        query.bind(2, to.description)
        var result: [ModelSpend] = []
        while try query.step() {
            result.append(ModelSpend(model: query.string(0) ?? "", spendUSD: query.double(1), messages: query.int(2)))
        }
        return result
    }

    /// The query plan of the budget's spend query, for a test that checks it reads only the running totals.
    public func spendQueryPlan() throws -> [String] {
        let query = try db.prepare("""
            EXPLAIN QUERY PLAN SELECT COALESCE(SUM(CASE WHEN day = ?3 THEN cost_usd END), 0), COALESCE(SUM(cost_usd), 0)
            FROM spend_by_day WHERE day >= ?1 AND day < ?2
            """)
        query.bind(1, "2026-01-01")
        query.bind(2, "2026-02-01")
        query.bind(3, "2026-01-15")
        var lines: [String] = []
        while try query.step() { lines.append(query.string(3) ?? "") }
        return lines
    }
}
