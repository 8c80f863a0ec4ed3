import Foundation
import NTChat
import NTStorage
import NTSystem
import Testing

/// The upgrade to schema 10 (messages form a tree) on a database made by version 9, holding data.
struct BranchMigrationTests {
    @Test func linearConversationsBecomeChainsEndingAtTheirLastMessage() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-v9-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("db.sqlite").path
        let db = try SQLiteDatabase(path: path)
        _ = try Migrator(database: db, migrations: Schema.migrations(through: 9)).migrate()
        // seq with gaps (an answer deleted by a regeneration before trees), and an empty conversation.
        try db.execute("""
            INSERT INTO conversations (id, title, created_at, updated_at) VALUES
              ('c', 'moon', '2026-11-30T10:00:00.000Z', '2026-11-30T10:00:00.000Z'),
              ('e', 'empty', '2026-11-30T10:00:00.000Z', '2026-11-30T10:00:00.000Z');
            INSERT INTO messages (id, conversation_id, seq, role, content, model, status, cost_usd, created_at, updated_at)
              VALUES ('u1', 'c', 1, 'user', 'moon distance', NULL, 'complete', NULL, '2026-11-30T10:00:00.000Z', '2026-11-30T10:00:00.000Z'),
                     ('a1', 'c', 3, 'assistant', 'about 384400 km', 'm', 'complete', 0.25, '2026-11-30T10:00:01.000Z', '2026-11-30T10:00:01.000Z'),
                     ('u2', 'c', 4, 'user', 'and the sun?', NULL, 'complete', NULL, '2026-11-30T10:00:02.000Z', '2026-11-30T10:00:02.000Z'),
                     ('a2', 'c', 5, 'assistant', 'farther', 'm', 'complete', 0.5, '2026-11-30T10:00:03.000Z', '2026-11-30T10:00:03.000Z');
            """)

        #expect(try Migrator(database: db).migrate().applied == Schema.newestVersion - 9)
        let repository = try SQLChatRepository(path: path)
        let messages = try await repository.messages(conversationID: "c")
        #expect(messages.map(\.id) == ["u1", "a1", "u2", "a2"], "seq stays the creation order")
        #expect(messages.map(\.parentID) == [nil, "u1", "a1", "u2"])
        #expect(try await repository.conversation(id: "c")?.currentLeafID == "a2")
        #expect(try await repository.conversation(id: "e")?.currentLeafID == nil)
        #expect(try await repository.path(conversationID: "c").map(\.id) == ["u1", "a1", "u2", "a2"])
        #expect(try await repository.path(conversationID: "e").isEmpty)
        let day = try #require(UTCDay(parsing: "2026-11-30"))
        #expect(try await repository.spend(day: day, conversationID: "c").conversation == 0.75, "the spend totals are untouched")
        #expect(try await repository.search(SearchQuery(parsing: "384400"), ownerID: "owner", limit: 5).count == 1, "the search index is intact")

        // The upgraded conversation goes on as a tree.
        let rows = try await repository.beginTurn(conversationID: "c", userContent: nil, model: "m", requestID: "r", workerPID: 1,
                                                  replacingLastAnswer: true)
        #expect(rows.assistant.parentID == "u2")
        #expect(try await repository.path(conversationID: "c").last?.siblingIDs == ["a2", rows.assistant.id])
    }
}
