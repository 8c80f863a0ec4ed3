import Foundation
import NTChat
import NTOpenRouter
import NTStorage
import Testing

/// Turns in a tree (ADR 0017): the upstream sees only the path above the new message; edits and regenerations
/// branch and are checked before anything is stored.
@Suite(.timeLimit(.minutes(1)))
struct BranchTurnTests {
    static func send(_ service: ChatService, _ conversation: String, _ content: String?, branchFrom: String? = nil) async throws -> ChatEvent.Meta {
        let turn = try await service.start(.init(conversationID: conversation, content: content, branchFrom: branchFrom, requestID: "r"),
                                           logger: .init(label: "t"))
        let events = await collect(turn)
        guard case .meta(let meta) = events.first else { throw TurnRefusal.invalid("no meta first: \(events)") }
        return meta
    }

    /// The texts of the messages the upstream received in request `index`.
    static func prompt(_ upstream: ScriptedUpstream, _ index: Int) -> [String] {
        upstream.requests[index].body.messages.map { "\($0.role.rawValue): \($0.content)" }
    }

    @Test(arguments: TempDatabase.engines) func anEditSendsOnlyThePathAboveItAndARegenerationOnlyThePathAboveItsAnswer(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let upstream = ScriptedUpstream(ScriptedUpstream.answer(["ok"]))
        let service = ChatService.make(repository, upstream)
        let c = try await repository.createConversation(title: "t", model: nil, systemPrompt: "be brief", ownerID: "owner").id
        let first = try await Self.send(service, c, "one")
        let second = try await Self.send(service, c, "two")
        _ = try await Self.send(service, c, "three")

        let edit = try await Self.send(service, c, "two, edited", branchFrom: second.userMessageID)
        #expect(Self.prompt(upstream, 3) == ["system: be brief", "user: one", "assistant: ok", "user: two, edited"])
        #expect(edit.parentID == edit.userMessageID, "meta names the answer's parent")

        _ = try await Self.send(service, c, "four")
        #expect(Self.prompt(upstream, 4) == ["system: be brief", "user: one", "assistant: ok", "user: two, edited", "assistant: ok", "user: four"],
                "the new branch is the current path; the old one (three) is not sent")

        let regenerated = try await Self.send(service, c, nil, branchFrom: first.assistantMessageID)
        #expect(Self.prompt(upstream, 5) == ["system: be brief", "user: one"])
        #expect(regenerated.userMessageID == nil && regenerated.parentID == first.userMessageID)
        let path = try await repository.path(conversationID: c)
        #expect(path.map(\.id) == [first.userMessageID, regenerated.assistantMessageID].compactMap { $0 })
        #expect(path.last?.siblingIDs == [first.assistantMessageID, regenerated.assistantMessageID], "the old answer is kept")
    }

    @Test(arguments: TempDatabase.engines) func editsAndRegenerationsNamingTheWrongMessageAreRefusedAndStoreNothing(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let upstream = ScriptedUpstream(ScriptedUpstream.answer(["ok"]))
        let service = ChatService.make(repository, upstream)
        let c = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner").id
        let other = try await repository.createConversation(title: "o", model: nil, systemPrompt: nil, ownerID: "owner").id
        let first = try await Self.send(service, c, "one")
        let elsewhere = try await Self.send(service, other, "elsewhere")
        let unknown = "00000000-0000-4000-8000-000000000000"
        let before = try await repository.tree(conversationID: c)

        for (content, id, refusal) in [
            ("x", unknown, TurnRefusal.messageNotFound),
            ("x", try #require(elsewhere.userMessageID), .messageNotFound),
            ("x", first.assistantMessageID, .invalid("edit_of must name a message the user wrote")),
            (nil, unknown, .messageNotFound),
            (nil, try #require(first.userMessageID), .invalid("message_id must name an answer (an assistant message)")),
        ] as [(String?, String, TurnRefusal)] {
            await #expect(throws: refusal) {
                _ = try await service.start(.init(conversationID: c, content: content, branchFrom: id, requestID: "r"), logger: .init(label: "t"))
            }
        }
        #expect(try await repository.tree(conversationID: c) == before)
        #expect(upstream.requests.count == 2, "nothing refused reached the upstream")

        // Regenerating the current leaf needs an answer there.
        _ = try await repository.deleteSubtree(conversationID: c, messageID: first.assistantMessageID)
        await #expect(throws: TurnRefusal.nothingToRegenerate) {
            _ = try await service.start(.init(conversationID: c, content: nil, requestID: "r"), logger: .init(label: "t"))
        }
    }

    @Test(arguments: TempDatabase.engines) func aBranchCannotBeSwitchedOrDeletedWhileItsAnswerStreams(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let upstream = ScriptedUpstream([.event(.opened(generationID: "g")), .hang])
        let service = ChatService.make(repository, upstream)
        let c = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner").id
        let turn = try await service.start(.init(conversationID: c, content: "q", requestID: "r"), logger: .init(label: "t"))
        let running = Task { await collect(turn) }
        let answer = turn.meta.assistantMessageID
        await #expect(throws: ChatStoreError.turnRunning) { try await repository.setLeaf(conversationID: c, through: answer) }
        await #expect(throws: ChatStoreError.turnRunning) { _ = try await repository.deleteSubtree(conversationID: c, messageID: answer) }
        _ = service.stop(conversationID: c)
        _ = await running.value
        #expect(try await repository.deleteSubtree(conversationID: c, messageID: answer) == 1)
    }
}
