import Foundation
import Logging
import NTChat
import NTOpenRouter
import NTStorage
import Testing

/// The chat turn's writes on SQLite commit in groups: writes that queue while a transaction commits (or waits for
/// another process's lock) go into the next transaction together, each caller returns once its write is committed,
/// and each write still succeeds or fails on its own.
struct GroupCommitTests {
    /// Frames in the WAL file, which ``emptyWAL(_:)`` emptied: every commit appends at least one (one per page it
    /// changed), so fewer frames than writes means that writes shared commits.
    static func walFrames(_ path: String) throws -> Int {
        let wal = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        let pageSize = try SQLiteDatabase(path: path).scalarInt("PRAGMA page_size") ?? 4096
        return max(0, wal - 32) / (pageSize + 24)
    }

    /// Checkpoints everything and truncates the WAL file to nothing.
    static func emptyWAL(_ path: String) throws {
        try SQLiteDatabase(path: path).execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }

    @Test func writesQueuedTogetherShareOneCommitAndAllArrive() async throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        let repository = try db.repository()
        try Self.emptyWAL(db.path)
        // While another connection holds the write lock, 40 writes queue up behind the first.
        let lock = try WriteLockTests.HeldLock(path: db.path)
        let writes = (0..<40).map { i in
            Task { try await repository.createConversation(title: "c\(i)", model: nil, systemPrompt: nil, ownerID: "owner") }
        }
        try await Task.sleep(for: .milliseconds(300))
        try lock.release()
        var titles: Set<String> = []
        for write in writes { titles.insert(try await write.value.title) }

        #expect(titles == Set((0..<40).map { "c\($0)" }), "every write returned its own row")
        #expect(try await repository.conversations(ownerID: "owner", limit: 100, offset: 0).total == 40, "and every row was committed")
        let frames = try Self.walFrames(db.path)
        #expect(frames > 0 && frames < 40, "40 writes took \(frames) WAL frames: a commit of their own each would take 40 or more")
    }

    @Test func oneWriteThatFailsInAGroupFailsAloneAndTheOthersAreStored() async throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        let repository = try db.repository()
        var conversations: [String] = []
        for i in 0..<10 {
            conversations.append(try await repository.createConversation(title: "c\(i)", model: nil, systemPrompt: nil, ownerID: "owner").id)
        }
        let lock = try WriteLockTests.HeldLock(path: db.path)
        // The fifth write names a conversation that does not exist; it queues among the others.
        let targets = conversations.prefix(4) + ["no-such-conversation"] + conversations.dropFirst(4)
        let writes = targets.map { id in
            Task {
                try await repository.beginTurn(conversationID: id, parentID: nil, userContent: "hi \(id)", model: "m", requestID: "r",
                                               workerPID: getpid())
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        try lock.release()

        for (id, write) in zip(targets, writes) {
            if id == "no-such-conversation" {
                await #expect(throws: ChatStoreError.conversationNotFound) { _ = try await write.value }
            } else {
                let rows = try await write.value
                #expect(rows.user?.content == "hi \(id)")
                let stored = try await repository.messages(conversationID: id)
                #expect(stored.map(\.role) == [.user, .assistant], "the turn of \(id) was stored whole")
            }
        }
    }

    @Test func aWriteAloneCommitsAtOnce() async throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        let repository = try db.repository()
        _ = try await repository.createConversation(title: "one", model: nil, systemPrompt: nil, ownerID: "owner")
        // Visible to another connection (another process) as soon as the call returned: nothing waits to fill a group.
        let other = try SQLiteDatabase(path: db.path)
        #expect(try other.scalarInt("SELECT COUNT(*) FROM conversations WHERE title = 'one'") == 1)
    }

    @Test(arguments: TempDatabase.engines) func aTurnInANewConversationCreatesItWithItsFirstMessages(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let service = ChatService.make(repository, ScriptedUpstream(ScriptedUpstream.answer(["fresh"])))
        let id = Identifiers.uuid()
        let fresh = NewConversation(title: "a new one", model: "fake/lorem", ownerID: "owner")
        let events = await collect(try await service.start(
            TurnRequest(conversationID: id, content: "hello", requestID: "r", newConversation: fresh), logger: Logger(label: "t")
        ))

        #expect(events.contains(.done(status: .complete, finishReason: "stop")))
        let conversation = try #require(try await repository.conversation(id: id))
        #expect(conversation.title == "a new one" && conversation.model == "fake/lorem" && conversation.ownerID == "owner")
        let messages = try await repository.messages(conversationID: id)
        #expect(messages.map(\.content) == ["hello", "fresh"])
        #expect(conversation.currentLeafID == messages.last?.id)
    }

    @Test(arguments: TempDatabase.engines) func aRefusedTurnInANewConversationLeavesNoConversation(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let upstream = ScriptedUpstream(ScriptedUpstream.answer(["x"]))
        let budget = BudgetGuard(store: FixedSpend(Spend(today: 0.999_9, month: 0.999_9)), limits: { BudgetLimits(dailyUSD: 1) })
        let priced = ModelInfo(id: "fake/lorem", name: "lorem", contextLength: 131_072, promptPrice: 0.000_001,
                               completionPrice: 0.000_002, maxCompletionTokens: 16_384)
        let service = ChatService.make(repository, upstream, models: [priced], budget: budget)
        let id = Identifiers.uuid()
        let request = TurnRequest(conversationID: id, content: "hello", requestID: "r",
                                  newConversation: NewConversation(title: "never", model: nil, ownerID: "owner"))

        await #expect(throws: TurnRefusal.self) { _ = try await service.start(request, logger: Logger(label: "t")) }
        #expect(try await repository.conversation(id: id) == nil)
        #expect(try await repository.conversations(ownerID: "owner", limit: 10, offset: 0).total == 0)
        #expect(upstream.requests.isEmpty)
    }

    @Test func aNewConversationStartsWithAMessage() async throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        let service = ChatService.make(try db.repository(), ScriptedUpstream(ScriptedUpstream.answer(["x"])))
        let request = TurnRequest(conversationID: Identifiers.uuid(), content: nil, requestID: "r",
                                  newConversation: NewConversation(title: "t", model: nil, ownerID: "owner"))
        let refusal = await #expect(throws: TurnRefusal.self) { _ = try await service.start(request, logger: Logger(label: "t")) }
        #expect(refusal == .invalid("a new conversation starts with a message"))
    }

    @Test func aWriteQueuedBehindAWaitingGroupGivesUpWhenItsOwnWaitIsOver() async throws {
        let db = try TempDatabase()
        defer { db.cleanup() }
        let repository = try db.repository()
        let lock = try WriteLockTests.HeldLock(path: db.path)
        let started = ContinuousClock.now
        let first = Task { try await repository.createConversation(title: "first", model: nil, systemPrompt: nil, ownerID: "owner") }
        try await Task.sleep(for: .seconds(2))
        let second = Task { () -> Duration in
            do {
                _ = try await repository.createConversation(title: "second", model: nil, systemPrompt: nil, ownerID: "owner")
            } catch let error as StorageError where error.fault == .busy {}
            return ContinuousClock.now - started
        }
        await #expect(throws: StorageError.self) { _ = try await first.value }
        let secondGaveUp = try await second.value
        try lock.release()
        // Its own wait (5 s from 2 s on), not the first write's wait and then its own again (12 s).
        #expect(secondGaveUp > .milliseconds(6_500) && secondGaveUp < .milliseconds(7_800), "gave up after \(secondGaveUp)")
    }
}
