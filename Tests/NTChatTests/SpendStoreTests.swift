import Foundation
import Logging
import NTChat
import NTStorage
import NTSystem
import Testing

/// Spend as the database reports it: per day, month, conversation and model, deleted answers included.
struct SpendStoreTests {
    /// Stores an answer costing `cost` in a conversation, dated `createdAt`.
    func answer(_ repository: SQLChatRepository, _ db: TempDatabase, conversation: String, model: String, cost: Double?,
                createdAt: String) async throws -> String {
        let rows = try await repository.beginTurn(conversationID: conversation, userContent: "q", model: model, requestID: "r", workerPID: 1, replacingLastAnswer: false)
        var outcome = MessageOutcome(status: .complete, content: "a", reasoning: "")
        outcome.costUSD = cost
        try await repository.finish(messageID: rows.assistant.id, outcome: outcome)
        let raw = try db.connection()
        let update = try raw.prepare("UPDATE messages SET created_at = ? WHERE id = ?")
        update.bind(1, createdAt)
        update.bind(2, rows.assistant.id)
        _ = try update.step()
        return rows.assistant.id
    }

    @Test(arguments: TempDatabase.engines) func spendIsSummedPerUTCDayMonthAndConversation(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let a = try await repository.createConversation(title: "a", model: nil, systemPrompt: nil, ownerID: "owner").id
        let b = try await repository.createConversation(title: "b", model: nil, systemPrompt: nil, ownerID: "owner").id
        _ = try await answer(repository, db, conversation: a, model: "m1", cost: 1.0, createdAt: "2026-11-30T00:00:00.000Z")
        _ = try await answer(repository, db, conversation: a, model: "m2", cost: 0.25, createdAt: "2026-11-30T23:59:59.999Z")
        _ = try await answer(repository, db, conversation: b, model: "m1", cost: 2.0, createdAt: "2026-11-29T23:59:59.999Z")
        _ = try await answer(repository, db, conversation: b, model: "m1", cost: 4.0, createdAt: "2026-10-31T12:00:00.000Z")
        _ = try await answer(repository, db, conversation: b, model: "m1", cost: nil, createdAt: "2026-11-30T12:00:00.000Z")
        _ = try await answer(repository, db, conversation: b, model: "m3", cost: 8.0, createdAt: "2026-12-01T00:00:00.000Z")

        let day = try #require(UTCDay(parsing: "2026-11-30"))
        let spend = try await repository.spend(day: day, conversationID: a)
        #expect(spend == Spend(today: 1.25, month: 3.25, conversation: 1.25))
        #expect(try await repository.spend(day: day, conversationID: b).conversation == 14)

        let byDay = try await repository.spendByDay(from: day.adding(days: -30), to: day.adding(days: 1))
        #expect(byDay[day] == 1.25)
        #expect(byDay[day.adding(days: -1)] == 2)
        #expect(byDay[UTCDay(parsing: "2026-10-31")!] == 4)
        #expect(byDay[UTCDay(parsing: "2026-12-01")!] == nil)

        let byModel = try await repository.spendByModel(from: day.adding(days: -30), to: day.adding(days: 1))
        #expect(byModel == [ModelSpend(model: "m1", spendUSD: 7, messages: 3), ModelSpend(model: "m2", spendUSD: 0.25, messages: 1)])
    }

    @Test(arguments: TempDatabase.engines) func theCostOfADeletedAnswerStaysSpent(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let conversation = try await repository.createConversation(title: "a", model: nil, systemPrompt: nil, ownerID: "owner").id
        let today = UTCDay.today()
        let priced = try await answer(repository, db, conversation: conversation, model: "m", cost: 0.5, createdAt: Identifiers.now())
        // Regenerate keeps the answer as an alternative; deleting it (its branch) keeps what it cost.
        let again = try await repository.beginTurn(conversationID: conversation, userContent: nil, model: "m", requestID: "r2", workerPID: 1,
                                                   replacingLastAnswer: true)
        try await repository.finish(messageID: again.assistant.id, outcome: MessageOutcome(status: .complete, content: "b", reasoning: ""))
        #expect(try await repository.spend(day: today, conversationID: conversation) == Spend(today: 0.5, month: 0.5, conversation: 0.5))
        #expect(try await repository.deleteSubtree(conversationID: conversation, messageID: priced) == 1)
        #expect(try await repository.spend(day: today, conversationID: conversation) == Spend(today: 0.5, month: 0.5, conversation: 0.5))
        #expect(try await repository.deleteConversation(id: conversation))
        #expect(try await repository.spend(day: today, conversationID: nil).today == 0.5)
        #expect(try await repository.spendByModel(from: today, to: today.adding(days: 1)) == [ModelSpend(model: "m", spendUSD: 0.5, messages: 1)])
    }

    @Test(arguments: TempDatabase.engines) func theBudgetsSpendQueryReadsOnlyTheRunningTotals(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let plan = try await repository.spendQueryPlan().joined(separator: "\n")
        #expect(plan.contains("spend_by_day"), "\(plan)")
        #expect(!plan.contains("messages"), "\(plan)")
        #expect(!plan.contains("removed_spend"), "\(plan)")
    }

    /// The running totals against a sum over every priced row, kept and deleted (SQL both engines run: rounded as
    /// NUMERIC, which PostgreSQL rounds and SQLite reads as a number).
    func totalsMatchTheRows(_ db: TempDatabase) throws -> Bool {
        let raw = try db.connection()
        let query = try raw.prepare("""
            SELECT COUNT(*) FROM (
                SELECT day, model, ROUND(CAST(SUM(cost_usd) AS NUMERIC), 9) AS cost, SUM(answers) AS answers FROM spend_by_day
                GROUP BY 1, 2 HAVING SUM(answers) > 0
                EXCEPT
                SELECT substr(created_at, 1, 10), COALESCE(model, ''), ROUND(CAST(SUM(cost_usd) AS NUMERIC), 9), COUNT(*) FROM (
                    SELECT created_at, model, cost_usd FROM messages WHERE cost_usd IS NOT NULL
                    UNION ALL SELECT created_at, model, cost_usd FROM removed_spend
                ) AS priced GROUP BY 1, 2
            ) AS differences
            """)
        _ = try query.step()
        let rows = try raw.scalarInt("SELECT COUNT(*) FROM spend_by_day WHERE answers > 0") ?? 0
        let groups = try raw.scalarInt("""
            SELECT COUNT(*) FROM (SELECT 1 FROM (SELECT created_at, model FROM messages WHERE cost_usd IS NOT NULL
                UNION ALL SELECT created_at, model FROM removed_spend) AS priced
                GROUP BY substr(created_at, 1, 10), COALESCE(model, '')) AS groups
            """) ?? 0
        return query.int(0) == 0 && rows == groups
    }

    @Test(arguments: TempDatabase.engines) func theRunningTotalsFollowEveryChangeOfAPricedAnswer(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let a = try await repository.createConversation(title: "a", model: nil, systemPrompt: nil, ownerID: "owner").id
        let b = try await repository.createConversation(title: "b", model: nil, systemPrompt: nil, ownerID: "owner").id
        _ = try await answer(repository, db, conversation: a, model: "m1", cost: 1.0, createdAt: "2026-11-30T00:00:00.000Z")
        let moved = try await answer(repository, db, conversation: a, model: "m2", cost: 0.25, createdAt: "2026-11-29T10:00:00.000Z")
        _ = try await answer(repository, db, conversation: b, model: "m1", cost: nil, createdAt: "2026-11-30T12:00:00.000Z")
        let december = try await answer(repository, db, conversation: b, model: "m3", cost: 8.0, createdAt: "2026-12-01T00:00:00.000Z")
        #expect(try totalsMatchTheRows(db))
        let raw = try db.connection()
        try raw.execute("UPDATE messages SET cost_usd = 0.5, model = 'm9' WHERE id = '\(moved)'")
        #expect(try totalsMatchTheRows(db))
        _ = try await repository.beginTurn(conversationID: b, userContent: nil, model: "m1", requestID: "r2", workerPID: 1, replacingLastAnswer: true)
        #expect(try totalsMatchTheRows(db))
        try await repository.finish(messageID: try #require(try await repository.path(conversationID: b).last?.id),
                                    outcome: MessageOutcome(status: .complete, content: "again", reasoning: ""))
        #expect(try await repository.deleteSubtree(conversationID: b, messageID: december) == 1)
        #expect(try totalsMatchTheRows(db))
        #expect(try await repository.deleteConversation(id: a))
        #expect(try totalsMatchTheRows(db))
        let day = try #require(UTCDay(parsing: "2026-11-30"))
        #expect(try await repository.spend(day: day, conversationID: nil) == Spend(today: 1.0, month: 1.5, conversation: 0))
        try raw.execute("DELETE FROM removed_spend WHERE model = 'm9'")
        #expect(try totalsMatchTheRows(db))
        #expect(try await repository.spend(day: day, conversationID: nil).month == 1.0)
    }

    @Test(arguments: TempDatabase.engines) func theUsageReportHasThirtyDaysOldestFirstAndTheBudgetsLeft(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let conversation = try await repository.createConversation(title: "a", model: nil, systemPrompt: nil, ownerID: "owner").id
        _ = try await answer(repository, db, conversation: conversation, model: "m", cost: 4.5, createdAt: "2026-11-30T10:00:00.000Z")
        _ = try await answer(repository, db, conversation: conversation, model: "m", cost: 1, createdAt: "2026-11-01T10:00:00.000Z")
        let budget = BudgetGuard(store: repository, limits: { BudgetLimits(dailyUSD: 5, warnRatio: 0.9) }, today: { UTCDay(parsing: "2026-11-30")! })
        let report = try await budget.report(breaker: .closed)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any] ?? [:]

        let today = json["today"] as? [String: Any] ?? [:]
        #expect(today["date"] as? String == "2026-11-30")
        #expect(today["spend_usd"] as? Double == 4.5)
        #expect(today["budget_usd"] as? Double == 5)
        #expect(today["remaining_usd"] as? Double == 0.5)
        #expect(today["warn"] as? Bool == true)
        let month = json["month"] as? [String: Any] ?? [:]
        #expect(month["month"] as? String == "2026-11")
        #expect(month["spend_usd"] as? Double == 5.5)
        #expect(month["budget_usd"] is NSNull && month["remaining_usd"] is NSNull)
        #expect(month["warn"] as? Bool == false)
        #expect(json["per_conversation_budget_usd"] is NSNull)
        #expect(json["warn_ratio"] as? Double == 0.9)
        let breaker = json["circuit_breaker"] as? [String: Any] ?? [:]
        #expect(breaker["state"] as? String == "closed" && breaker["retry_at"] is NSNull && breaker["consecutive_failures"] as? Int == 0)
        let days = json["by_day"] as? [[String: Any]] ?? []
        #expect(days.count == 30)
        #expect(days.first?["date"] as? String == "2026-11-01")
        #expect(days.first?["spend_usd"] as? Double == 1)
        #expect(days.last?["date"] as? String == "2026-11-30")
        #expect(days.dropFirst().dropLast().allSatisfy { $0["spend_usd"] as? Double == 0 })
        let models = json["by_model"] as? [[String: Any]] ?? []
        #expect(models.count == 1 && models.first?["model"] as? String == "m" && models.first?["spend_usd"] as? Double == 5.5 && models.first?["messages"] as? Int == 2)
    }

    @Test func anUpgradeFillsTheTotalsFromTheAnswersAlreadyStored() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-spend-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("db.sqlite").path
        let old = try SQLiteDatabase(path: path)
        _ = try Migrator(database: old, migrations: Schema.migrations.filter { $0.version <= 6 }).migrate()
        try old.execute("""
            INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('c', 't', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
            INSERT INTO messages (id, conversation_id, seq, role, model, status, cost_usd, created_at, updated_at) VALUES
                ('a1', 'c', 1, 'assistant', 'm1', 'complete', 1.5, '2026-11-02T10:00:00.000Z', '2026-11-02T10:00:00.000Z'),
                ('a2', 'c', 2, 'assistant', 'm1', 'complete', 0.5, '2026-11-02T11:00:00.000Z', '2026-11-02T11:00:00.000Z'),
                ('a3', 'c', 3, 'assistant', NULL, 'complete', 0.25, '2026-11-03T11:00:00.000Z', '2026-11-03T11:00:00.000Z'),
                ('u4', 'c', 4, 'user', NULL, 'complete', NULL, '2026-11-03T12:00:00.000Z', '2026-11-03T12:00:00.000Z');
            DELETE FROM messages WHERE id = 'a2';
            """)
        _ = try Migrator(database: old).migrate()
        let repository = try SQLChatRepository(path: path)
        let day = try #require(UTCDay(parsing: "2026-11-02"))
        #expect(try await repository.spend(day: day, conversationID: "c") == Spend(today: 2.0, month: 2.25, conversation: 2.25))
        #expect(try await repository.spendByModel(from: day, to: day.adding(days: 2)) == [
            ModelSpend(model: "m1", spendUSD: 2.0, messages: 2), ModelSpend(model: "", spendUSD: 0.25, messages: 1),
        ])
    }
}
