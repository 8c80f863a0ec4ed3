import Foundation
import Logging
import NTChat
import NTStorage
import Testing

/// Spend as the database reports it: per day, month, conversation and model, deleted answers included.
struct SpendStoreTests {
    /// Stores an answer costing `cost` in a conversation, dated `createdAt`.
    func answer(_ repository: SQLiteChatRepository, _ db: TempDatabase, conversation: String, model: String, cost: Double?,
                createdAt: String) async throws -> String {
        let rows = try await repository.beginTurn(conversationID: conversation, userContent: "q", model: model, requestID: "r", workerPID: 1, replacingLastAnswer: false)
        var outcome = MessageOutcome(status: .complete, content: "a", reasoning: "")
        outcome.costUSD = cost
        try await repository.finish(messageID: rows.assistant.id, outcome: outcome)
        let raw = try SQLiteDatabase(path: db.path)
        let update = try raw.prepare("UPDATE messages SET created_at = ? WHERE id = ?")
        update.bind(1, createdAt)
        update.bind(2, rows.assistant.id)
        _ = try update.step()
        return rows.assistant.id
    }

    @Test func spendIsSummedPerUTCDayMonthAndConversation() async throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        let repository = try SQLiteChatRepository(path: db.path)
        let a = try await repository.createConversation(title: "a", model: nil, systemPrompt: nil).id
        let b = try await repository.createConversation(title: "b", model: nil, systemPrompt: nil).id
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

    @Test func theCostOfADeletedAnswerStaysSpent() async throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        let repository = try SQLiteChatRepository(path: db.path)
        let conversation = try await repository.createConversation(title: "a", model: nil, systemPrompt: nil).id
        let today = UTCDay.today()
        _ = try await answer(repository, db, conversation: conversation, model: "m", cost: 0.5, createdAt: Identifiers.now())
        // Regenerate: the last answer is replaced.
        _ = try await repository.beginTurn(conversationID: conversation, userContent: nil, model: "m", requestID: "r2", workerPID: 1, replacingLastAnswer: true)
        #expect(try await repository.spend(day: today, conversationID: conversation) == Spend(today: 0.5, month: 0.5, conversation: 0.5))
        #expect(try await repository.deleteConversation(id: conversation))
        #expect(try await repository.spend(day: today, conversationID: nil).today == 0.5)
        #expect(try await repository.spendByModel(from: today, to: today.adding(days: 1)) == [ModelSpend(model: "m", spendUSD: 0.5, messages: 1)])
    }

    @Test func theSpendQueryReadsOnlyTheCoveringIndexes() async throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        let repository = try SQLiteChatRepository(path: db.path)
        let plan = try await repository.spendQueryPlan().joined(separator: "\n")
        #expect(plan.contains("COVERING INDEX messages_spend"), "\(plan)")
        #expect(plan.contains("COVERING INDEX removed_spend_by_time"), "\(plan)")
    }

    @Test func theUsageReportHasThirtyDaysOldestFirstAndTheBudgetsLeft() async throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        let repository = try SQLiteChatRepository(path: db.path)
        let conversation = try await repository.createConversation(title: "a", model: nil, systemPrompt: nil).id
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
}
