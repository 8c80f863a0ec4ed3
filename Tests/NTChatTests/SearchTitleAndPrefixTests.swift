import Foundation
import NTChat
import NTStorage
import Testing

/// Search finds what a researcher types: conversations by their title, and words by their beginning; the index of
/// titles follows every new, renamed, imported and deleted conversation; the upgrade to schema 9 indexes what was
/// stored before it.
struct SearchTitleAndPrefixTests {
    func answer(_ repository: SQLChatRepository, _ conversation: String, _ question: String, _ text: String) async throws {
        let turn = try await repository.beginTurn(conversationID: conversation, userContent: question, model: "m", requestID: "r",
                                                  workerPID: 1, replacingLastAnswer: false)
        try await repository.finish(messageID: turn.assistant.id, outcome: MessageOutcome(status: .complete, content: text, reasoning: ""))
    }

    func titles(_ repository: SQLChatRepository, _ text: String) async throws -> [String] {
        try await repository.searchTitles(SearchQuery(parsing: text), ownerID: "owner", limit: 20).map(\.title)
    }

    func messages(_ repository: SQLChatRepository, _ text: String) async throws -> Int {
        try await repository.search(SearchQuery(parsing: text), ownerID: "owner", limit: 100).count
    }

    @Test(arguments: TempDatabase.engines) func aWordFindsTheWordsItBegins(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let geometry = try await repository.createConversation(title: "Geometry", model: nil, systemPrompt: nil, ownerID: "owner")
        try await answer(repository, geometry.id, "area of a trapezoid?", "A trapezoid's area is the mean of its bases times its height.")
        try await answer(repository, geometry.id, "and a trap?", "A trap is not a shape.")
        #expect(try await messages(repository, "trap") == 4)
        #expect(try await messages(repository, "TRAPEZ") == 2)
        #expect(try await messages(repository, "trapezoid") == 2)
        #expect(try await messages(repository, "\"trap\"") == 2, "quoted: the whole word only")
        #expect(try await messages(repository, "trap height") == 1, "every term must match")
        let hit = try #require(try await repository.search(SearchQuery(parsing: "trapez"), ownerID: "owner", limit: 5).first)
        #expect(hit.snippet.filter(\.match).map(\.text).contains { $0.lowercased().hasPrefix("trapezoid") }, "the whole word is marked")
    }

    @Test(arguments: TempDatabase.engines) func aTitleIsFoundByItsWordsAndTheirBeginnings(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let physics = try await repository.createConversation(title: "Physics notes", model: nil, systemPrompt: nil, ownerID: "owner")
        let older = try await repository.createConversation(title: "Physics of clouds", model: nil, systemPrompt: nil, ownerID: "owner")
        _ = try await repository.createConversation(title: "Chemistry", model: nil, systemPrompt: nil, ownerID: "owner")
        try await answer(repository, older.id, "why do clouds float?", "Droplets are tiny.")
        #expect(try await messages(repository, "Physics") == 0, "no message says it")
        #expect(Set(try await titles(repository, "Physics")) == ["Physics notes", "Physics of clouds"])
        #expect(try await titles(repository, "phys notes") == ["Physics notes"])
        #expect(try await titles(repository, "chem") == ["Chemistry"])
        #expect(try await titles(repository, "\"phys\"").isEmpty)
        let hit = try #require(try await repository.searchTitles(SearchQuery(parsing: "notes"), ownerID: "owner", limit: 5).first)
        #expect(hit.conversationID == physics.id)
        #expect(hit.snippet == [SnippetPart(text: "Physics ", match: false), SnippetPart(text: "notes", match: true)])
        #expect(hit.rank > 0 && hit.updatedAt.hasSuffix("Z"))

        _ = try await repository.updateConversation(id: physics.id, patch: ConversationPatch(title: "Optics notes"))
        #expect(try await titles(repository, "physics") == ["Physics of clouds"], "a renamed title leaves the index")
        #expect(try await titles(repository, "optics") == ["Optics notes"])
        _ = try await repository.deleteConversation(id: older.id)
        #expect(try await titles(repository, "physics").isEmpty, "a deleted conversation leaves the index")
        let turn = try await repository.beginTurn(conversationID: physics.id, userContent: "more", model: "m", requestID: "r",
                                                  workerPID: 1, replacingLastAnswer: false)
        try await repository.finish(messageID: turn.assistant.id, outcome: MessageOutcome(status: .complete, content: "ok", reasoning: ""))
        #expect(try await titles(repository, "optics") == ["Optics notes"], "a turn (updated_at) keeps the title indexed once")
    }

    /// Where the engines differ (runbook): FTS5's `unicode61` folds accents, PostgreSQL's `simple` configuration keeps
    /// them; a prefix after a phrase is its last word's on SQLite, every word's on PostgreSQL.
    @Test(arguments: TempDatabase.engines) func accentsAndPhrasePrefixesAsEachEngineReadsThem(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let c = try await repository.createConversation(title: "Paris", model: nil, systemPrompt: nil, ownerID: "owner")
        try await answer(repository, c.id, "where to sit?", "A café near the zebra herd.")
        #expect(try await messages(repository, "café") == 1, "as stored: both")
        #expect(try await messages(repository, "\"zebra herd\"*") == 1, "a phrase with a prefix: both")
        switch engine {
        case .sqlite:
            #expect(try await messages(repository, "cafe") == 1, "FTS5 folds the accent")
            #expect(try await messages(repository, "\"zeb herd\"*") == 0, "FTS5: only the phrase's last word is a prefix")
        case .postgres:
            #expect(try await messages(repository, "cafe") == 0, "PostgreSQL keeps the accent")
            #expect(try await messages(repository, "\"zeb herd\"*") == 1, "PostgreSQL: every word of the phrase is a prefix")
        }
    }

    @Test func theUpgradeToVersion9IndexesTitlesAndKeepsTheMessagesIndex() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nt-v8-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("db.sqlite").path
        let db = try SQLiteDatabase(path: path)
        _ = try Migrator(database: db, migrations: Schema.migrations(through: 8)).migrate()
        try db.execute("""
            INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('c', 'Quantum homework', '2026-11-30T10:00:00.000Z', '2026-11-30T10:00:00.000Z');
            INSERT INTO messages (id, conversation_id, seq, role, content, status, created_at, updated_at)
              VALUES ('u', 'c', 1, 'user', 'entanglement basics', 'complete', '2026-11-30T10:00:00.000Z', '2026-11-30T10:00:00.000Z'),
                     ('a', 'c', 2, 'assistant', 'entangled half answer', 'streaming', '2026-11-30T10:00:01.000Z', '2026-11-30T10:00:01.000Z');
            """)

        #expect(try Migrator(database: db).migrate().applied == Schema.newestVersion - 8)
        let repository = try SQLChatRepository(path: path)
        #expect(try await titles(repository, "quant") == ["Quantum homework"])
        #expect(try await messages(repository, "entangle") == 1, "the streaming answer is not indexed")
        try await repository.finish(messageID: "a", outcome: MessageOutcome(status: .complete, content: "entangled whole answer", reasoning: ""))
        #expect(try await messages(repository, "entangle") == 2, "the triggers write to the new index")
        #expect(try db.scalarInt("SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH 'en*'") == 2)
        let check = try db.prepare("PRAGMA integrity_check")
        #expect(try check.step() && check.string(0) == "ok")
        try db.execute("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)")
        try db.execute("INSERT INTO conversations_fts (conversations_fts, rank) VALUES ('integrity-check', 1)")
    }
}
