import Foundation
import NTChat
import NTStorage
import Testing

/// What the repository keeps, on SQLite and PostgreSQL, and how it recovers answers a dead worker left streaming.
struct RepositoryTests {
    @Test(arguments: TempDatabase.engines) func conversationsAreListedNewestFirstWithTotals(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let older = try await repository.createConversation(title: "older", model: nil, systemPrompt: nil, ownerID: "owner")
        try await Task.sleep(for: .milliseconds(5))
        let newer = try await repository.createConversation(title: "newer", model: "m", systemPrompt: nil, ownerID: "owner")
        try await Task.sleep(for: .milliseconds(5))
        let rows = try await repository.beginTurn(conversationID: older.id, userContent: "hi", model: "m", requestID: "r", workerPID: 1, replacingLastAnswer: false)
        var outcome = MessageOutcome(status: .complete, content: "yo", reasoning: "")
        outcome.costUSD = 0.5
        try await repository.finish(messageID: rows.assistant.id, outcome: outcome)

        let page = try await repository.conversations(ownerID: "owner", limit: 10, offset: 0)
        #expect(page.total == 2)
        #expect(page.conversations.map(\.id) == [older.id, newer.id], "a new turn moves a conversation to the top")
        #expect(page.conversations[0].messageCount == 2)
        #expect(page.conversations[0].costUSD == 0.5)
    }

    @Test(arguments: TempDatabase.engines) func answersOfADeadWorkerBecomeInterruptedWithTheirText(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let c = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")
        let dead = try await repository.beginTurn(conversationID: c.id, userContent: "q", model: "m", requestID: "r", workerPID: 999_999, replacingLastAnswer: false)
        try await repository.saveProgress(messageID: dead.assistant.id, content: "half an ans", reasoning: "")
        let c2 = try await repository.createConversation(title: "t2", model: nil, systemPrompt: nil, ownerID: "owner")
        let alive = try await repository.beginTurn(conversationID: c2.id, userContent: "q", model: "m", requestID: "r", workerPID: getpid(), replacingLastAnswer: false)

        let count = try await repository.markInterrupted { $0 == getpid() }
        #expect(count == 1)
        let recovered = try await repository.messages(conversationID: c.id).last
        #expect(recovered?.status == .interrupted)
        #expect(recovered?.content == "half an ans")
        #expect(try await repository.messages(conversationID: c2.id).last?.id == alive.assistant.id)
        #expect(try await repository.messages(conversationID: c2.id).last?.status == .streaming)
    }

    /// A `worker_pid` beyond 32 bits, zero or negative (a restored or hand-edited row) names no process: the answer
    /// is orphaned, and the liveness check (which calls `kill()`) never sees such a pid.
    @Test(arguments: TempDatabase.engines) func aStreamingAnswerWithAPidThatNamesNoProcessIsInterrupted(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        var ids: [String] = []
        for pid in [99_999_999_999, Int64(Int32.max) + 1, 0, -1, -Int64(getpid())] {
            let c = try await repository.createConversation(title: "pid \(pid)", model: nil, systemPrompt: nil, ownerID: "owner")
            let rows = try await repository.beginTurn(conversationID: c.id, userContent: "q", model: "m", requestID: "r", workerPID: 1, replacingLastAnswer: false)
            try db.connection().execute("UPDATE messages SET worker_pid = \(pid) WHERE id = '\(rows.assistant.id)'")
            ids.append(c.id)
        }
        let asked = PIDs()
        let count = try await repository.markInterrupted { pid in asked.add(pid); return true }
        #expect(count == ids.count)
        #expect(asked.all.isEmpty, "no liveness check of a pid that names no process: \(asked.all)")
        for id in ids { #expect(try await repository.messages(conversationID: id).last?.status == .interrupted) }
    }

    @Test(arguments: TempDatabase.engines) func finishedAnswersAreFullTextIndexedOnceStreamingAnswersAreNot(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let c = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")
        let rows = try await repository.beginTurn(conversationID: c.id, userContent: "what about zebras", model: "m", requestID: "r", workerPID: 1, replacingLastAnswer: false)
        try await repository.saveProgress(messageID: rows.assistant.id, content: "giraffes partial", reasoning: "")
        let raw = try db.connection()
        #expect(try db.indexed("zebras") == 1)
        #expect(try db.indexed("giraffes") == 0)
        try await repository.finish(messageID: rows.assistant.id, outcome: MessageOutcome(status: .complete, content: "giraffes complete", reasoning: ""))
        #expect(try db.indexed("giraffes") == 1)
        #expect(try await repository.deleteConversation(id: c.id))
        #expect(try db.indexed("giraffes") + db.indexed("zebras") == 0)
        #expect(try raw.scalarInt("SELECT COUNT(*) FROM messages") == 0, "messages are deleted with their conversation")
    }
}

/// The pids a liveness check was asked about.
private final class PIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var pids: [Int32] = []
    func add(_ pid: Int32) { lock.withLock { pids.append(pid) } }
    var all: [Int32] { lock.withLock { pids } }
}
