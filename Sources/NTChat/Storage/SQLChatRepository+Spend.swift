import NTStorage
import NTSystem

/// Spend queries for budgets and `GET /api/usage`, read from the running totals per UTC day and model
/// (`spend_by_day`, migration 7), which triggers keep equal to the recorded `cost_usd` of every answer, kept and
/// deleted (`removed_spend`). A day's or a month's spend costs at most 31 × models rows, however many answers
/// are stored; only a conversation's own spend reads its messages.
extension SQLChatRepository: SpendStore {
    public func spend(day: UTCDay, conversationID: String?) throws -> Spend {
        defer { db.resetCachedStatements() }
        var spend = try period(day: day, from: "spend_by_day", where: "")
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

    /// One account's spend, from its running totals per day (`spend_by_user_day`, migration 12).
    public func spend(day: UTCDay, ownerID: String) throws -> Spend {
        defer { db.resetCachedStatements() }
        return try period(day: day, from: "spend_by_user_day", where: "user_id = ?4 AND", bind: { $0.bind(4, ownerID) })
    }

    /// Spend on `day` and in its month (with their estimated parts) from a table of running totals per day.
    private func period(day: UTCDay, from table: String, where condition: String, bind: (Statement) -> Void = { _ in }) throws -> Spend {
        let period = try db.cachedStatement("""
            SELECT COALESCE(SUM(CASE WHEN day = ?3 THEN cost_usd END), 0), COALESCE(SUM(cost_usd), 0),
                   COALESCE(SUM(CASE WHEN day = ?3 THEN estimated_usd END), 0), COALESCE(SUM(estimated_usd), 0)
            FROM \(table) WHERE \(condition) day >= ?1 AND day < ?2
            """)
        period.bind(1, day.firstOfMonth.description)
        period.bind(2, day.firstOfNextMonth.description)
        period.bind(3, day.description)
        bind(period)
        var spend = Spend()
        if try period.step() {
            spend.today = period.double(0)
            spend.month = period.double(1)
            spend.estimatedToday = period.double(2)
            spend.estimatedMonth = period.double(3)
        }
        return spend
    }

    /// One account's spend per day for days in `[from, to)` that have any.
    public func spendByDay(from: UTCDay, to: UTCDay, ownerID: String) throws -> [UTCDay: Double] {
        defer { db.resetCachedStatements() }
        let query = try db.cachedStatement(
            "SELECT day, cost_usd FROM spend_by_user_day WHERE user_id = ?3 AND day >= ?1 AND day < ?2 AND answers > 0"
        )
        query.bind(1, from.description)
        query.bind(2, to.description)
        query.bind(3, ownerID)
        var result: [UTCDay: Double] = [:]
        while try query.step() {
            if let text = query.string(0), let day = UTCDay(parsing: text) { result[day, default: 0] += query.double(1) }
        }
        return result
    }

    /// One account's spend per model for days in `[from, to)`, from its answers (kept and deleted): a person's
    /// month is a few thousand answers at most, read through the conversations they own.
    public func spendByModel(from: UTCDay, to: UTCDay, ownerID: String) throws -> [ModelSpend] {
        defer { db.resetCachedStatements() }
        let query = try db.cachedStatement("""
            SELECT model, SUM(cost_usd), COUNT(*) FROM (
                SELECT COALESCE(m.model, '') AS model, m.cost_usd FROM conversations c JOIN messages m ON m.conversation_id = c.id
                WHERE c.owner_id = ?3 AND m.cost_usd IS NOT NULL AND m.created_at >= ?1 AND m.created_at < ?2
                UNION ALL
                SELECT COALESCE(model, ''), cost_usd FROM removed_spend WHERE owner_id = ?3 AND created_at >= ?1 AND created_at < ?2
            ) AS spent GROUP BY model ORDER BY 2 DESC, 1
            """)
        query.bind(1, from.description)
        query.bind(2, to.description)
        query.bind(3, ownerID)
        var result: [ModelSpend] = []
        while try query.step() {
            result.append(ModelSpend(model: query.string(0) ?? "", spendUSD: query.double(1), messages: query.int(2)))
        }
        return result
    }

    /// Every account's spend today and this month, for the admins' view of `GET /api/usage` (ids; the web worker
    /// names them).
    public func spendByOwner(day: UTCDay) throws -> [(ownerID: String, spend: Spend)] {
        defer { db.resetCachedStatements() }
        let query = try db.cachedStatement("""
            SELECT user_id, COALESCE(SUM(CASE WHEN day = ?3 THEN cost_usd END), 0), SUM(cost_usd)
            FROM spend_by_user_day WHERE day >= ?1 AND day < ?2 GROUP BY user_id ORDER BY 3 DESC, 1
            """)
        query.bind(1, day.firstOfMonth.description)
        query.bind(2, day.firstOfNextMonth.description)
        query.bind(3, day.description)
        var result: [(ownerID: String, spend: Spend)] = []
        while try query.step() {
            result.append((query.string(0) ?? "", Spend(today: query.double(1), month: query.double(2))))
        }
        return result
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

    /// The query plan of the budget's spend query, for a test that checks it reads only the running totals: SQLite's
    /// `EXPLAIN QUERY PLAN` details, PostgreSQL's `EXPLAIN` lines.
    public func spendQueryPlan() throws -> [String] {
        let explain = db.engine == .sqlite ? "EXPLAIN QUERY PLAN" : "EXPLAIN (COSTS OFF)"
        let query = try db.prepare("""
            \(explain) SELECT COALESCE(SUM(CASE WHEN day = ?3 THEN cost_usd END), 0), COALESCE(SUM(cost_usd), 0)
            FROM spend_by_day WHERE day >= ?1 AND day < ?2
            """)
        query.bind(1, "2026-01-01")
        query.bind(2, "2026-02-01")
        query.bind(3, "2026-01-15")
        var lines: [String] = []
        while try query.step() { lines.append(query.string(db.engine == .sqlite ? 3 : 0) ?? "") }
        return lines
    }
}
