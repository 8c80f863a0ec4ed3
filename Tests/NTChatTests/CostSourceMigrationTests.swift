import Foundation
import NTChat
import NTStorage
import NTSystem
import Testing

/// The upgrade to schema 8 (where each cost comes from) on a database made by version 7.
struct CostSourceMigrationTests {
    @Test func costsStoredBeforeTheUpgradeAreReportedAndTheTotalsStay() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-v7-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("db.sqlite").path
        let db = try SQLiteDatabase(path: path)
        _ = try Migrator(database: db, migrations: Schema.migrations(through: 7)).migrate()
        try db.execute("""
            INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('c', 't', '2026-11-30T10:00:00.000Z', '2026-11-30T10:00:00.000Z');
            INSERT INTO messages (id, conversation_id, seq, role, content, model, status, cost_usd, created_at, updated_at)
              VALUES ('u', 'c', 1, 'user', 'moon distance', NULL, 'complete', NULL, '2026-11-30T10:00:00.000Z', '2026-11-30T10:00:00.000Z'),
                     ('a', 'c', 2, 'assistant', 'about 384400 km', 'm', 'complete', 0.25, '2026-11-30T10:00:01.000Z', '2026-11-30T10:00:01.000Z'),
                     ('d', 'c', 3, 'assistant', 'deleted later', 'm', 'complete', 0.5, '2026-11-30T10:00:02.000Z', '2026-11-30T10:00:02.000Z');
            DELETE FROM messages WHERE id = 'd';
            """)

        #expect(try Migrator(database: db).migrate().applied == Schema.newestVersion - 7)
        let repository = try SQLChatRepository(path: path)
        let messages = try await repository.messages(conversationID: "c")
        #expect(messages.map(\.costSource) == [nil, .reported])
        let day = try #require(UTCDay(parsing: "2026-11-30"))
        let spend = try await repository.spend(day: day, conversationID: "c")
        #expect(spend.today == 0.75 && spend.conversation == 0.75 && spend.estimatedToday == 0, "\(spend)")
        #expect(try db.scalarInt("SELECT COUNT(*) FROM removed_spend WHERE cost_source = 'reported'") == 1)
        #expect(try await repository.search(SearchQuery(parsing: "384400"), ownerID: "owner", limit: 5).count == 1, "the search index is intact")

        // A reconciled cost replaces an estimate in the totals; a cost change alone leaves the search index alone.
        let rows = try await repository.beginTurn(conversationID: "c", userContent: "q", model: "m", requestID: "r", workerPID: 1, replacingLastAnswer: false)
        var outcome = MessageOutcome(status: .complete, content: "estimated words", reasoning: "")
        outcome.costUSD = 0.1
        outcome.costSource = .estimated
        outcome.generationID = "gen-1"
        try await repository.finish(messageID: rows.assistant.id, outcome: outcome)
        let today = UTCDay.today()
        #expect(try await repository.spend(day: today, conversationID: nil).estimatedToday == 0.1)
        #expect(try await repository.reconcileCost(messageID: rows.assistant.id, record: GenerationRecord(totalCostUSD: 0.125)))
        let after = try await repository.spend(day: today, conversationID: nil)
        #expect(after.today == 0.125 && after.estimatedToday == 0)
        #expect(try await repository.search(SearchQuery(parsing: "estimated"), ownerID: "owner", limit: 5).count == 1)
    }
}
