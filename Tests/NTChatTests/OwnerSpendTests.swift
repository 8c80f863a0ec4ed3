import Foundation
import NTChat
import NTStorage
import NTSystem
import Testing

/// Spend per account (migration 12): what each person's budgets and usage report read.
struct OwnerSpendTests {
    @Test(arguments: TempDatabase.engines) func eachAccountsSpendCountsOnlyItsOwnAnswersAndStaysSpentWhenTheyAreDeleted(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let helper = SpendStoreTests()
        let now = Identifiers.now()
        let today = UTCDay.today()
        let alice = try await repository.createConversation(title: "a", model: nil, systemPrompt: nil, ownerID: "alice").id
        let bob = try await repository.createConversation(title: "b", model: nil, systemPrompt: nil, ownerID: "bob").id
        _ = try await helper.answer(repository, db, conversation: alice, model: "m1", cost: 0.25, createdAt: now)
        _ = try await helper.answer(repository, db, conversation: alice, model: "m2", cost: 0.5, createdAt: now)
        _ = try await helper.answer(repository, db, conversation: bob, model: "m1", cost: 2, createdAt: now)

        #expect(try await repository.spend(day: today, ownerID: "alice").today == 0.75)
        #expect(try await repository.spend(day: today, ownerID: "bob").month == 2)
        #expect(try await repository.spend(day: today, ownerID: "carol") == Spend())
        #expect(try await repository.spend(day: today, conversationID: nil).today == 2.75, "the appliance's total is everyone's")
        let models = try await repository.spendByModel(from: today, to: today.adding(days: 1), ownerID: "alice")
        #expect(models == [ModelSpend(model: "m2", spendUSD: 0.5, messages: 1), ModelSpend(model: "m1", spendUSD: 0.25, messages: 1)])
        #expect(try await repository.spendByDay(from: today, to: today.adding(days: 1), ownerID: "bob")[today] == 2)

        // Deleting a whole conversation keeps what its answers cost, for the same person.
        #expect(try await repository.deleteConversation(id: alice))
        #expect(try await repository.spend(day: today, ownerID: "alice").today == 0.75)
        #expect(try await repository.spendByModel(from: today, to: today.adding(days: 1), ownerID: "alice").count == 2)
        let owners = try await repository.spendByOwner(day: today)
        #expect(owners.map(\.ownerID) == ["bob", "alice"] && owners.map(\.spend.today) == [2, 0.75])
    }

    @Test func theUpgradeGivesEveryExistingConversationAndItsSpendToTheOwner() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-v11-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("db.sqlite").path
        let db = try SQLiteDatabase(path: path)
        _ = try Migrator(database: db, migrations: Schema.migrations(through: 11)).migrate()
        try db.execute("""
            INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('c', 't', '2026-12-01T10:00:00.000Z', '2026-12-01T10:00:00.000Z');
            INSERT INTO messages (id, conversation_id, seq, role, content, model, status, cost_usd, cost_source, created_at, updated_at)
              VALUES ('a', 'c', 1, 'assistant', 'x', 'm', 'complete', 0.25, 'reported', '2026-12-01T10:00:01.000Z', '2026-12-01T10:00:01.000Z'),
                     ('d', 'c', 2, 'assistant', 'y', 'm', 'complete', 0.5, 'estimated', '2026-12-01T10:00:02.000Z', '2026-12-01T10:00:02.000Z');
            DELETE FROM messages WHERE id = 'd';
            """)
        _ = try Migrator(database: db).migrate()
        let repository = try SQLChatRepository(path: path)
        #expect(try await repository.conversation(id: "c")?.ownerID == "owner")
        let day = try #require(UTCDay(parsing: "2026-12-01"))
        let spend = try await repository.spend(day: day, ownerID: "owner")
        #expect(spend.today == 0.75 && spend.estimatedToday == 0.5, "\(spend)")
        #expect(try await repository.conversations(ownerID: "owner", limit: 10, offset: 0).total == 1)
        #expect(try await repository.conversations(ownerID: "alice", limit: 10, offset: 0).total == 0)
    }
}
