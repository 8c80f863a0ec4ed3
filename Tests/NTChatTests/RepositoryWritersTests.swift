import Foundation
import NTChat
import NTOpenRouter
import NTStorage
import Testing

/// Several writers on one database (web workers, appliances sharing a PostgreSQL server), and the writes no other
/// suite covers, on SQLite and PostgreSQL.
struct RepositoryWritersTests {
    @Test(arguments: TempDatabase.engines)
    func turnsStartedAtOnceOnTwoConnectionsAllGetTheirOwnPlace(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repositories = [try db.repository(), try db.repository()]
        let c = try await repositories[0].createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner").id
        // Each turn reads the next place (`seq`) and inserts there: without one writer at a time, two would take the same.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<20 {
                group.addTask {
                    _ = try await repositories[n % 2].beginTurn(conversationID: c, parentID: nil, userContent: "q\(n)", model: "m",
                                                                requestID: "r\(n)", workerPID: 1)
                }
            }
            try await group.waitForAll()
        }
        let messages = try await repositories[1].messages(conversationID: c)
        #expect(messages.count == 40)
        #expect(Set(messages.map(\.content)).count == 21, "twenty questions and the empty answers")
    }

    @Test(arguments: TempDatabase.engines)
    func aConversationIsRenamedListedPagedAndDeletedOnce(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        var ids: [String] = []
        for n in 0..<3 {
            ids.append(try await repository.createConversation(title: "c\(n)", model: nil, systemPrompt: nil, ownerID: "alice").id)
            try await Task.sleep(for: .milliseconds(2))
        }
        let renamed = try await repository.updateConversation(id: ids[0], patch: ConversationPatch(title: "first", model: "m/x", systemPrompt: "sys"))
        #expect(renamed?.title == "first" && renamed?.model == "m/x" && renamed?.systemPrompt == "sys")
        let cleared = try await repository.updateConversation(id: ids[0], patch: ConversationPatch(model: .some(nil)))
        #expect(cleared?.title == "first" && cleared?.model == nil && cleared?.systemPrompt == "sys")
        #expect(try await repository.updateConversation(id: "00000000-0000-4000-8000-000000000000", patch: ConversationPatch(title: "x")) == nil)
        #expect(try await repository.ownerID(ofConversation: ids[1]) == "alice")
        let page = try await repository.conversations(ownerID: "alice", limit: 2, offset: 1)
        #expect(page.total == 3 && page.conversations.map(\.id) == [ids[2], ids[1]], "newest first: the renamed one, then the others")
        #expect(try await repository.conversations(ownerID: "bob", limit: 10, offset: 0).total == 0)
        #expect(try await repository.deleteConversation(id: ids[1]))
        #expect(try await !repository.deleteConversation(id: ids[1]), "a second delete finds nothing")
        #expect(try await repository.ownerID(ofConversation: ids[1]) == nil)
    }

    @Test(arguments: TempDatabase.engines)
    func theModelsCatalogIsReplacedWholeAndReadBackInIdOrder(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        try await repository.replaceModels([ModelInfo(id: "old/gone", name: "Gone")])
        let models = [
            ModelInfo(id: "z/last", name: "Z", contextLength: 8_192, promptPrice: 0.000_001, completionPrice: 0.1 + 0.2, requestPrice: 0,
                      reasoningPrice: nil, cacheReadPrice: 1e-9, maxCompletionTokens: 4_096),
            ModelInfo(id: "a/first", name: "A \"quoted\" ü"),
        ]
        try await repository.replaceModels(models)
        #expect(try await repository.models() == models.reversed())
    }

    /// On PostgreSQL a deletion takes the writers' lock like every write transaction, so it cannot slip in between
    /// another writer's check that a conversation exists and its insert (SQLite's write lock gives the same).
    @Test func aDeletionWaitsForTheWriterHoldingThePostgresWriteLock() async throws {
        let db = try TempDatabase(.postgres)
        defer { db.cleanup() }
        let repository = try db.repository()
        let c = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner").id
        let writer = try db.connection(), observer = try db.connection()
        try writer.execute("BEGIN; SELECT pg_advisory_xact_lock(\(PostgresDatabase.writerLockKey))")
        let deletion = Task { try await repository.deleteConversation(id: c) }
        var waiting = false
        for _ in 0..<500 where !waiting {
            waiting = try observer.scalarInt("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == 1
            if !waiting { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(waiting, "the deletion queues behind the writer")
        #expect(try observer.scalarInt("SELECT COUNT(*) FROM conversations") == 1)
        try writer.execute("COMMIT")
        #expect(try await deletion.value)
        #expect(try observer.scalarInt("SELECT COUNT(*) FROM conversations") == 0)
    }
}
