import Foundation
import Logging
import NTChat
import NTStorage
import Synchronization
import Testing

/// Answers outlive the page: a client that leaves does not stop its answer, any page can attach to a streaming
/// answer and follow it live from where it is, and every attached page hears a shutdown and why an answer stopped.
@Suite(.timeLimit(.minutes(1)))
struct AttachTests {
    /// Collects what a turn's starting client receives, from its own task.
    final class ClientLog: Sendable {
        let events = Mutex<[ChatEvent]>([])
        var all: [ChatEvent] { events.withLock { $0 } }
    }

    struct Gone: Error {}

    func setUp(_ engine: DatabaseEngine, _ steps: [ScriptedUpstream.Step]) async throws -> (ChatService, SQLChatRepository, String, TempDatabase) {
        let db = try TempDatabase(engine)
        let repository = try db.repository()
        let service = ChatService.make(repository, ScriptedUpstream(steps))
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner").id
        return (service, repository, conversation, db)
    }

    func start(_ service: ChatService, _ conversation: String) async throws -> ChatTurn {
        try await service.start(.init(conversationID: conversation, content: "hi", requestID: "r"), logger: Logger(label: "t"))
    }

    func text(_ events: [ChatEvent]) -> String {
        events.map { event -> String in
            switch event {
            case .snapshot(let content, _): content
            case .delta(let piece): piece
            default: ""
            }
        }.joined()
    }

    @Test(arguments: TempDatabase.engines) func aClientThatGoesAwayDoesNotStopTheAnswer(_ engine: DatabaseEngine) async throws {
        var steps = ScriptedUpstream.answer(["one ", "two ", "three"])
        steps.insert(.pause(.milliseconds(50)), at: 4)
        let (service, repository, conversation, db) = try await setUp(engine, steps)
        defer { db.cleanup() }
        let turn = try await start(service, conversation)
        var writes = 0
        await turn.run(emit: { _ in }, flush: {
            writes += 1
            if writes > 2 { throw Gone() }
        })
        let answer = try #require(try await repository.messages(conversationID: conversation).last)
        #expect(answer.status == .complete, "stored as \(answer.status): \(answer.error ?? "")")
        #expect(answer.content == "one two three")
    }

    @Test(arguments: TempDatabase.engines) func aPageThatAttachesMidAnswerGetsTheTextSoFarAndEverythingAfter(_ engine: DatabaseEngine) async throws {
        var steps = ScriptedUpstream.answer(["alpha ", "beta ", "gamma ", "delta"])
        steps.insert(.pause(.milliseconds(400)), at: 4)
        let (service, _, conversation, db) = try await setUp(engine, steps)
        defer { db.cleanup() }
        let turn = try await start(service, conversation)
        let client = ClientLog()
        let running = Task { await turn.run(emit: { event in client.events.withLock { $0.append(event) } }, flush: {}) }
        try await Task.sleep(for: .milliseconds(150))
        let live = try #require(service.watch(conversationID: conversation), "the answer is streaming")
        #expect(live.meta.conversationID == conversation)
        var watched: [ChatEvent] = []
        for await event in live.events { watched.append(event) }
        await running.value

        guard case .snapshot(let soFar, _)? = watched.first else { Issue.record("no snapshot first: \(watched)"); return }
        #expect(soFar == "alpha beta ", "the text so far")
        #expect(text(watched) == "alpha beta gamma delta", "nothing missing, nothing twice")
        #expect(watched.last == .done(status: .complete, finishReason: "stop"))
        #expect(text(client.all) == "alpha beta gamma delta")
        #expect(service.watch(conversationID: conversation) == nil, "nothing to attach to once it ended")
    }

    @Test(arguments: TempDatabase.engines) func everyAttachedPageHearsAShutdownAndWhyTheAnswerStopped(_ engine: DatabaseEngine) async throws {
        var steps = ScriptedUpstream.answer(["partial"])
        steps.insert(.hang, at: 3)
        let (service, _, conversation, db) = try await setUp(engine, steps)
        defer { db.cleanup() }
        let turn = try await start(service, conversation)
        let client = ClientLog()
        let running = Task { await turn.run(emit: { event in client.events.withLock { $0.append(event) } }, flush: {}) }
        try await Task.sleep(for: .milliseconds(100))
        let live = try #require(service.watch(conversationID: conversation))
        service.announceShutdown()
        try await Task.sleep(for: .milliseconds(100))
        service.stopAll(reason: .shutdown)
        var watched: [ChatEvent] = []
        for await event in live.events { watched.append(event) }
        await running.value

        for events in [client.all, watched] {
            #expect(events.contains { if case .notice("shutdown", _) = $0 { true } else { false } }, "\(events)")
            #expect(events.contains(.notice(kind: "stopped", message: StopReason.shutdown.rawValue)))
            #expect(events.last == .done(status: .stopped, finishReason: nil))
        }
    }
}
