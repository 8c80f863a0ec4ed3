import Foundation
import NTChat
import NTStorage
import NTSystem
import Testing

/// How an import meets a conversation the database already holds (ADR 0006, ``ImportMerge``): it continues a
/// conversation and adds its branches, never deletes from it, and stores a history that disagrees beside the stored one.
struct ImportMergeTests {
    static func importing(_ archived: ExportedConversation, into repository: SQLChatRepository) async throws -> ImportSummary {
        try await ExportImportFixture.importBytes(try ExportEncoding.line(archived), into: repository, chunk: 1 << 16)
    }

    /// A conversation with `turns` settled question/answer pairs.
    static func conversation(_ repository: SQLChatRepository, turns: Int, title: String = "t") async throws -> ExportedConversation {
        let c = try await repository.createConversation(title: title, model: nil, systemPrompt: nil, ownerID: "owner")
        for n in 1...turns { try await turn(repository, c.id, "q\(n)", answer: "a\(n)") }
        return try #require(try await repository.exportConversation(id: c.id))
    }

    static func turn(_ repository: SQLChatRepository, _ id: String, _ question: String?, answer: String) async throws {
        let turn = try await repository.beginTurn(conversationID: id, userContent: question, model: "m", requestID: "r", workerPID: 1,
                                                  replacingLastAnswer: question == nil)
        try await repository.finish(messageID: turn.assistant.id, outcome: MessageOutcome(status: .complete, content: answer, reasoning: ""))
    }

    @Test(arguments: TempDatabase.engines) func aLongerCopyOfTheConversationAddsItsNewMessagesAfterTheStoredOnes(_ engine: DatabaseEngine) async throws {
        let source = try TempDatabase(engine)
        let target = try TempDatabase(engine)
        defer { source.cleanup(); target.cleanup() }
        let there = try source.repository()
        let here = try target.repository()
        let early = try await Self.conversation(there, turns: 1)
        _ = try await Self.importing(early, into: here)
        try await Self.turn(there, early.conversation.id, "q2", answer: "a2")
        let later = try #require(try await there.exportConversation(id: early.conversation.id))

        let summary = try await Self.importing(later, into: here)
        #expect(summary.conversationsUpdated == 1 && summary.messagesAdded == 2 && summary.conflicts == 0)
        #expect(try await here.exportConversation(id: early.conversation.id) == later, "now identical to the longer copy")
        #expect(try await Self.importing(early, into: here).conversationsUnchanged == 1, "the shorter copy adds nothing")
        #expect(try await here.messages(conversationID: early.conversation.id).count == 4)
    }

    @Test(arguments: TempDatabase.engines) func messagesTheFileLacksStayAndTheDatabaseWinsWhereItIsNewer(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let stored = try await Self.conversation(repository, turns: 2)
        var partial = stored
        partial.messages = [stored.messages[0], stored.messages[1]] // the first turn only: nothing to add, nothing to delete
        partial.conversation.currentLeafID = stored.messages[1].id
        partial.messages[1].content = "an older text of the same message"
        partial.messages[1].updatedAt = "2020-01-01T00:00:00.000Z"
        let summary = try await Self.importing(partial, into: repository)
        #expect(summary.conversationsUnchanged == 1 && summary.messagesKept == 1)
        #expect(try await repository.exportConversation(id: stored.conversation.id) == stored)
    }

    /// An answer regenerated after the export is an alternative now, not a replacement: the old file holds nothing
    /// the database lacks (before trees this was a conflict, stored as a copy). Regenerated elsewhere, the new
    /// answer comes in as a branch beside the old one.
    @Test(arguments: TempDatabase.engines) func anAnswerRegeneratedOnEitherSideIsABranchNotAConflict(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let exported = try await Self.conversation(repository, turns: 1, title: "Zebras")
        try await Task.sleep(for: .milliseconds(5)) // a later updated_at than the export's (timestamps are in ms)
        try await Self.turn(repository, exported.conversation.id, nil, answer: "another answer")
        let stored = try #require(try await repository.exportConversation(id: exported.conversation.id))
        #expect(stored.messages.count == 3)

        #expect(try await Self.importing(exported, into: repository).conversationsUnchanged == 1)
        #expect(try await repository.exportConversation(id: stored.conversation.id) == stored, "the stored conversation is untouched")

        let elsewhere = try TempDatabase(engine)
        defer { elsewhere.cleanup() }
        let other = try elsewhere.repository()
        _ = try await Self.importing(exported, into: other)
        let summary = try await Self.importing(stored, into: other)
        #expect(summary.conversationsUpdated == 1 && summary.messagesAdded == 1 && summary.conflicts == 0, "\(summary)")
        #expect(try await other.exportConversation(id: stored.conversation.id) == stored, "the branch and the current leaf came along")
    }

    /// The conflict case: the file holds a message the database also holds, under another parent. The stored
    /// conversation is untouched, the file's stored beside it (its parents and leaf renamed with its ids), once.
    @Test(arguments: TempDatabase.engines) func aHistoryThatDisagreesIsStoredBesideTheConversationOnce(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let stored = try await Self.conversation(repository, turns: 2, title: "Zebras")
        var exported = stored
        exported.messages[2].parentID = stored.messages[0].id // the second question follows the first, not its answer

        let summary = try await Self.importing(exported, into: repository)
        #expect(summary.conflicts == 1 && summary.messagesAdded == 4 && summary.conversationsAdded == 0)
        #expect(try await repository.exportConversation(id: stored.conversation.id) == stored, "the stored conversation is untouched")
        let all = try await ExportImportFixture.everything(repository)
        #expect(all.count == 2)
        let copy = try #require(all.first { $0.conversation.id != stored.conversation.id })
        #expect(copy.conversation.title == "Zebras (imported copy)")
        #expect(copy.messages.map(\.content) == exported.messages.map(\.content))
        #expect(copy.messages.map(\.createdAt) == exported.messages.map(\.createdAt))
        #expect(Set(copy.messages.map(\.id)).isDisjoint(with: exported.messages.map(\.id)), "new ids, so nothing is shared")
        #expect(copy.messages.map(\.parentID) == [nil, copy.messages[0].id, copy.messages[0].id, copy.messages[2].id])
        #expect(copy.conversation.currentLeafID == copy.messages[3].id)

        let again = try await Self.importing(exported, into: repository)
        #expect(again.conversationsUnchanged == 1 && again.conflicts == 0 && again.messagesAdded == 0, "\(again)")
        #expect(try await ExportImportFixture.everything(repository) == all, "a re-import changes nothing")
    }

    @Test(arguments: TempDatabase.engines) func aConversationWithAStreamingAnswerIsLeftAlone(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let stored = try await Self.conversation(repository, turns: 1)
        var longer = stored
        var extra = stored.messages[1]
        extra.id = "44444444-2222-4333-8444-555555555555"
        longer.messages.append(extra)
        _ = try await repository.beginTurn(conversationID: stored.conversation.id, userContent: "q2", model: "m", requestID: "r",
                                           workerPID: 1, replacingLastAnswer: false)
        let streaming = try #require(try await repository.exportConversation(id: stored.conversation.id))
        // The file adds an alternative answer: that waits for the answer streaming now to finish.
        #expect(try await Self.importing(longer, into: repository).busy == 1)
        // A file that only renames it waits for the answer to finish.
        var renamed = streaming
        renamed.messages = stored.messages
        renamed.conversation.currentLeafID = stored.conversation.currentLeafID
        renamed.conversation.title = "later"
        try await Task.sleep(for: .milliseconds(5))
        renamed.conversation.updatedAt = Identifiers.now()
        let summary = try await Self.importing(renamed, into: repository)
        #expect(summary.busy == 1)
        #expect(try await repository.exportConversation(id: stored.conversation.id) == streaming)
    }

    @Test(arguments: TempDatabase.engines) func theCopysTitleFitsTheTitleLimitAndTheArchiveWriterAsksTheSameChecks(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let exported = try await Self.conversation(repository, turns: 1, title: String(repeating: "x", count: 200))
        var disagreeing = exported
        disagreeing.messages[1].parentID = nil
        #expect(try await Self.importing(disagreeing, into: repository).conflicts == 1)
        let copy = try #require(try await ExportImportFixture.everything(repository).first { $0.conversation.id != exported.conversation.id })
        #expect(copy.conversation.title.count == 200 && copy.conversation.title.hasSuffix("x (imported copy)"))

        #expect(ImportLimits().refusal(of: exported) == nil)
        var longer = exported
        longer.conversation.title += "y"
        #expect(ImportLimits().refusal(of: longer) == "conversation.title: longer than 200 characters (limits.title_max_chars)")
        longer.conversation.title = "ok"
        longer.messages[0].updatedAt = "2026-01-01T00:00:00+02:00"
        #expect(ImportLimits().refusal(of: longer)?.hasPrefix("messages[0].updated_at: \"2026-01-01T00:00:00+02:00\" has a UTC offset") == true)
    }

    /// A newer copy of a settled answer cannot take away text or recorded spend: a forged record with an empty text,
    /// no cost, another model and a creation time in 2020 leaves the answer's text, cost, model and day as they were.
    @Test(arguments: TempDatabase.engines) func aNewerCopyCannotShrinkTheTextOrChangeWhatWasSpent(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let c = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")
        let turn = try await repository.beginTurn(conversationID: c.id, userContent: "q", model: "m", requestID: "r", workerPID: 1,
                                                  replacingLastAnswer: false)
        var outcome = MessageOutcome(status: .complete, content: "the answer", reasoning: "")
        outcome.costUSD = 0.5
        try await repository.finish(messageID: turn.assistant.id, outcome: outcome)
        let stored = try #require(try await repository.exportConversation(id: c.id))
        let today = UTCDay.today()
        let spentBefore = try await repository.spend(day: today, conversationID: nil)

        var forged = stored
        forged.messages[1].content = ""
        forged.messages[1].costUSD = 0
        forged.messages[1].model = "another/model"
        forged.messages[1].createdAt = "2020-01-01T00:00:00.000Z"
        try await Task.sleep(for: .milliseconds(5))
        forged.messages[1].updatedAt = Identifiers.now()
        _ = try await Self.importing(forged, into: repository)

        let after = try #require(try await repository.exportConversation(id: c.id))
        #expect(after.messages[1].content == "the answer")
        #expect(after.messages[1].costUSD == 0.5)
        #expect(after.messages[1].model == stored.messages[1].model)
        #expect(after.messages[1].createdAt == stored.messages[1].createdAt)
        #expect(try await repository.spend(day: today, conversationID: nil) == spentBefore)
    }
}
