import Foundation
import NTChat
import NTStorage
import NTSystem
import Testing

/// Conversations as trees (ADR 0017): paths, alternatives, switching branches and deleting them, in the repository.
struct MessageTreeTests {
    /// One turn placed as asked, answered `answer` (complete).
    @discardableResult
    static func turn(_ repository: SQLChatRepository, _ conversation: String, _ question: String?, _ placement: TurnPlacement = .followLeaf,
                     answer: String, cost: Double? = nil) async throws -> TurnRows {
        let anchor = try await repository.turnAnchor(conversationID: conversation, placement: placement)
        let rows = try await repository.beginTurn(conversationID: conversation, parentID: anchor.parentID, userContent: question, model: "m",
                                                  requestID: "r", workerPID: 1)
        var outcome = MessageOutcome(status: .complete, content: answer, reasoning: "")
        outcome.costUSD = cost
        try await repository.finish(messageID: rows.assistant.id, outcome: outcome)
        return rows
    }

    @Test func theTreeAnswersPathsAlternativesAndWhereABranchEnds() {
        let tree = MessageTree([("u1", nil), ("a1", "u1"), ("u2", "a1"), ("a2", "u2"), ("a1b", "u1"), ("u1b", nil)])
        #expect(tree.siblings(of: "a1") == ["a1", "a1b"])
        #expect(tree.siblings(of: "u1b") == ["u1", "u1b"])
        #expect(tree.siblings(of: "nope") == [])
        #expect(tree.path(to: "a2") == ["u1", "a1", "u2", "a2"])
        #expect(tree.deepestNewest(from: "u1") == "a1b", "the newest child at each step")
        #expect(tree.deepestNewest(from: "a1") == "a2")
        #expect(tree.deepestNewest(from: nil) == "u1b")
        #expect(tree.deepestNewest(from: "nope") == nil)
        #expect(MessageTree([]).deepestNewest(from: nil) == nil)
        #expect(tree.hasChildren("u1") && !tree.hasChildren("a2") && !tree.hasChildren("nope"))
    }

    @Test(arguments: TempDatabase.engines) func anEditAndARegenerationBranchAndThePathFollowsTheNewestTurn(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let c = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner").id
        let first = try await Self.turn(repository, c, "q1", answer: "a1")
        let second = try await Self.turn(repository, c, "q2", answer: "a2")
        let edit = try await Self.turn(repository, c, "q2 edited", .editOf(try #require(second.user?.id)), answer: "a2'")
        #expect(edit.user?.parentID == first.assistant.id, "an edit is a sibling of the message it edits")

        var path = try await repository.path(conversationID: c)
        #expect(path.map(\.content) == ["q1", "a1", "q2 edited", "a2'"])
        #expect(path[2].siblingIDs == [second.user?.id, edit.user?.id].compactMap { $0 })
        #expect(path[0].siblingIDs == [first.user?.id].compactMap { $0 })
        #expect(try await repository.conversation(id: c)?.currentLeafID == edit.assistant.id)

        let again = try await Self.turn(repository, c, nil, .regenerate(first.assistant.id), answer: "a1 again")
        #expect(again.user == nil && again.assistant.parentID == first.user?.id)
        path = try await repository.path(conversationID: c)
        #expect(path.map(\.content) == ["q1", "a1 again"])
        #expect(path[1].siblingIDs == [first.assistant.id, again.assistant.id])

        let tree = try await repository.tree(conversationID: c)
        #expect(tree.map(\.content) == ["q1", "a1", "q2", "a2", "q2 edited", "a2'", "a1 again"], "every message, in creation order")
        #expect(tree.allSatisfy { $0.siblingIDs != nil })
        #expect(try await repository.conversation(id: c)?.messageCount == 7)
    }

    @Test(arguments: TempDatabase.engines) func switchingToABranchLandsOnItsNewestEndAndTouchesNothingElse(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let c = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner").id
        let first = try await Self.turn(repository, c, "q1", answer: "a1")
        try await Self.turn(repository, c, "q2", answer: "a2")
        try await Self.turn(repository, c, nil, .regenerate(first.assistant.id), answer: "a1 again")
        let before = try #require(try await repository.conversation(id: c))

        try await repository.setLeaf(conversationID: c, through: first.assistant.id)
        #expect(try await repository.path(conversationID: c).map(\.content) == ["q1", "a1", "q2", "a2"])
        try await repository.setLeaf(conversationID: c, through: try #require(first.user?.id))
        #expect(try await repository.path(conversationID: c).map(\.content) == ["q1", "a1 again"], "the newest child at each step")
        #expect(try await repository.conversation(id: c)?.updatedAt == before.updatedAt, "a switch is a view, not an edit")

        await #expect(throws: ChatStoreError.messageNotFound) {
            try await repository.setLeaf(conversationID: c, through: "00000000-0000-4000-8000-000000000000")
        }
        let other = try await repository.createConversation(title: "o", model: nil, systemPrompt: nil, ownerID: "owner").id
        await #expect(throws: ChatStoreError.messageNotFound, "a message of another conversation") {
            try await repository.setLeaf(conversationID: other, through: first.assistant.id)
        }
    }

    @Test(arguments: TempDatabase.engines) func deletingABranchMovesTheLeafToTheNewestRemainingOneAndKeepsWhatItCost(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let c = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner").id
        let first = try await Self.turn(repository, c, "q1", answer: "a1", cost: 0.25)
        let second = try await Self.turn(repository, c, "q2", answer: "a2", cost: 0.5)
        let regenerated = try await Self.turn(repository, c, nil, .regenerate(first.assistant.id), answer: "a1 again", cost: 1)
        let spent = try await repository.spend(day: UTCDay.today(), conversationID: nil)
        #expect(spent.today == 1.75)

        // The current leaf goes: the parent's newest remaining branch, down its newest children.
        #expect(try await repository.deleteSubtree(conversationID: c, messageID: regenerated.assistant.id) == 1)
        #expect(try await repository.path(conversationID: c).map(\.content) == ["q1", "a1", "q2", "a2"])
        // A whole branch goes, every message below it too; the leaf falls back to the parent itself.
        #expect(try await repository.deleteSubtree(conversationID: c, messageID: first.assistant.id) == 3)
        #expect(try await repository.path(conversationID: c).map(\.content) == ["q1"])
        #expect(try await repository.conversation(id: c)?.currentLeafID == first.user?.id)
        #expect(try await repository.spend(day: UTCDay.today(), conversationID: nil) == spent, "what was spent stays spent")
        #expect(try await repository.search(SearchQuery(parsing: "a2"), ownerID: "owner", limit: 5).isEmpty, "the index forgets deleted text")
        _ = second

        // The last message goes: nothing is left, and the next message starts the conversation again.
        #expect(try await repository.deleteSubtree(conversationID: c, messageID: try #require(first.user?.id)) == 1)
        #expect(try await repository.path(conversationID: c).isEmpty)
        #expect(try await repository.conversation(id: c)?.currentLeafID == nil)
        let fresh = try await Self.turn(repository, c, "again", answer: "ok")
        #expect(fresh.user?.parentID == nil)
    }

    @Test(arguments: TempDatabase.engines) func aSiblingRootIsWhereTheLeafGoesWhenAFirstMessageIsDeleted(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let c = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner").id
        let first = try await Self.turn(repository, c, "q1", answer: "a1")
        let edited = try await Self.turn(repository, c, "q1 edited", .editOf(try #require(first.user?.id)), answer: "b1")
        #expect(edited.user?.parentID == nil)
        try await repository.setLeaf(conversationID: c, through: try #require(first.user?.id))
        _ = try await repository.deleteSubtree(conversationID: c, messageID: try #require(first.user?.id))
        #expect(try await repository.path(conversationID: c).map(\.content) == ["q1 edited", "b1"])
    }

    @Test(arguments: TempDatabase.engines) func branchesDoNotMoveWhileAnAnswerStreams(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let c = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner").id
        let first = try await Self.turn(repository, c, "q1", answer: "a1")
        let live = try await repository.beginTurn(conversationID: c, userContent: "q2", model: "m", requestID: "r", workerPID: 1,
                                                  replacingLastAnswer: false)
        await #expect(throws: ChatStoreError.turnRunning) { try await repository.setLeaf(conversationID: c, through: first.assistant.id) }
        await #expect(throws: ChatStoreError.turnRunning) {
            _ = try await repository.deleteSubtree(conversationID: c, messageID: first.assistant.id)
        }
        try await repository.finish(messageID: live.assistant.id, outcome: MessageOutcome(status: .complete, content: "a2", reasoning: ""))
        #expect(try await repository.deleteSubtree(conversationID: c, messageID: try #require(live.user?.id)) == 2)
    }

    @Test(arguments: TempDatabase.engines) func theDatabaseRefusesAParentFromAnotherConversationOrALaterMessage(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let a = try await repository.createConversation(title: "a", model: nil, systemPrompt: nil, ownerID: "owner").id
        let b = try await repository.createConversation(title: "b", model: nil, systemPrompt: nil, ownerID: "owner").id
        let inA = try await Self.turn(repository, a, "q", answer: "x")
        await #expect(throws: ChatStoreError.messageNotFound) {
            _ = try await repository.beginTurn(conversationID: b, parentID: inA.assistant.id, userContent: "q", model: "m", requestID: "r", workerPID: 1)
        }
        let raw = try db.connection()
        let refused = #expect(throws: StorageError.self) {
            try raw.execute("UPDATE messages SET parent_id = '\(inA.assistant.id)' WHERE id = '\(inA.user?.id ?? "")'")
        }
        #expect(refused?.message == "a message's parent must be an earlier message of the same conversation", "the same on both engines")
        #expect(refused?.fault == .failed)
        #expect(throws: StorageError.self) {
            try raw.execute("DELETE FROM messages WHERE id = '\(inA.user?.id ?? "")'")
        }
    }
}
