import Foundation
import Logging
import NTChat
import NTOpenRouter
import NTStorage
import Testing

/// An answer streaming in another process (another instance on the same PostgreSQL database, another web worker
/// on this host) is followed from the text its streamer flushes, stopped through its runner, and found
/// `interrupted` once its streamer died (ADR 0021).
@Suite(.timeLimit(.minutes(1)))
struct FollowTests {
    /// Two instances on one database: `streamer` runs the turn (its upstream plays the script), `other` reaches it
    /// only through the database, each on its own connection with its own runner (PostgreSQL).
    struct Instances {
        let db: TempDatabase
        let streamer: ChatService
        let other: ChatService
        let repository: SQLChatRepository
        let upstream: ScriptedUpstream
        let conversation: String
    }

    func instances(_ engine: DatabaseEngine, _ steps: [ScriptedUpstream.Step]) async throws -> Instances {
        let db = try TempDatabase(engine)
        let repository = try db.repository()
        let upstream = ScriptedUpstream(steps)
        let streamer = ChatService.instance(repository, upstream, presence: try db.runner("streamer"))
        let other = ChatService.instance(try db.repository(), ScriptedUpstream([]), presence: try db.runner("other"))
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner").id
        return Instances(db: db, streamer: streamer, other: other, repository: repository, upstream: upstream, conversation: conversation)
    }

    /// Starts the turn on the streamer; the task collects what its own client receives.
    func start(_ instances: Instances) async throws -> Task<[ChatEvent], Never> {
        let turn = try await instances.streamer.start(.init(conversationID: instances.conversation, content: "hi", requestID: "r"), logger: Logger(label: "t"))
        return Task { await collect(turn) }
    }

    /// The text a page following the answer puts together: the snapshot, then every delta (as for a page attached
    /// in the streamer's own process).
    func text(_ events: [ChatEvent]) -> String { AttachTests().text(events) }

    func stored(_ instances: Instances) async throws -> Message {
        try #require(try await instances.repository.messages(conversationID: instances.conversation).last)
    }

    /// Follows the answer from the other instance to its end.
    func follow(_ instances: Instances) async throws -> (meta: ChatEvent.Meta, events: [ChatEvent]) {
        let followed = try #require(try await instances.other.follow(conversationID: instances.conversation), "the answer streams")
        return (followed.meta, await collect(followed.events))
    }

    static let opening: [ScriptedUpstream.Step] = [.event(.opened(generationID: "gen-1")), .event(.item(.started(id: "gen-1", model: "m", provider: "p")))]

    @Test(arguments: TempDatabase.engines) func aFollowedAnswerReassemblesToItsStoredTextAndEndsComplete(_ engine: DatabaseEngine) async throws {
        var steps = Self.opening + [.pause(.milliseconds(200))]
        for piece in ["alpha ", "beta ", "gamma ", "δέλτα"] { steps += [.event(.item(.content(piece))), .pause(.milliseconds(60))] }
        steps += [
            .event(.item(.finished(reason: "stop", nativeReason: "stop"))),
            .event(.item(.usage(Usage(promptTokens: 5, completionTokens: 4, totalTokens: 9, cost: 0.001)))),
            .event(.item(.done)), .event(.end(nil)),
        ]
        let instances = try await instances(engine, steps)
        defer { instances.db.cleanup() }
        let running = try await start(instances)
        let (meta, events) = try await follow(instances)
        _ = await running.value
        let answer = try await stored(instances)

        #expect(meta.assistantMessageID == answer.id)
        #expect(meta.conversationID == instances.conversation)
        guard case .snapshot? = events.first else { Issue.record("no snapshot first: \(events)"); return }
        #expect(answer.content == "alpha beta gamma δέλτα")
        #expect(text(events) == answer.content, "nothing missing, nothing twice: \(events)")
        #expect(events.filter { if case .delta = $0 { true } else { false } }.count >= 2, "followed live, not read at the end: \(events)")
        #expect(events.contains { if case .usage(let usage) = $0 { usage.promptTokens == 5 && usage.completionTokens == 4 } else { false } })
        #expect(events.last == .done(status: .complete, finishReason: "stop"))
    }

    @Test(arguments: TempDatabase.engines) func aFollowedAnswerStoppedByItsStreamerEndsStopped(_ engine: DatabaseEngine) async throws {
        let instances = try await instances(engine, Self.opening + [.event(.item(.content("partial"))), .hang])
        defer { instances.db.cleanup() }
        let running = try await start(instances)
        let followed = try #require(try await instances.other.follow(conversationID: instances.conversation))
        let following = Task { await collect(followed.events) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(instances.streamer.stop(conversationID: instances.conversation))
        let events = await following.value
        _ = await running.value
        let answer = try await stored(instances)

        #expect(answer.status == .stopped)
        #expect(text(events) == answer.content)
        #expect(events.contains(.notice(kind: "stopped", message: StopReason.user.rawValue)), "\(events)")
        #expect(events.last == .done(status: .stopped, finishReason: nil))
    }

    @Test(arguments: TempDatabase.engines) func aFollowedAnswerThatFailsEndsWithItsError(_ engine: DatabaseEngine) async throws {
        let cut = UpstreamFailure(code: "stream_cut", message: "the stream was cut", retryable: true)
        let instances = try await instances(engine, Self.opening + [.event(.item(.content("par"))), .pause(.milliseconds(200)), .event(.end(cut))])
        defer { instances.db.cleanup() }
        let running = try await start(instances)
        let (_, events) = try await follow(instances)
        _ = await running.value
        let answer = try await stored(instances)

        #expect(answer.status == .error)
        #expect(answer.content == "par")
        #expect(text(events) == "par")
        let error = try #require(answer.error)
        #expect(events.contains { if case .error(_, let message, _) = $0 { message == error } else { false } }, "\(events)")
        #expect(events.last == .done(status: .error, finishReason: answer.finishReason))
    }

    @Test func stopAnywhereStopsAnAnswerStreamingOnAnotherInstance() async throws {
        let instances = try await instances(.postgres, Self.opening + [.event(.item(.content("partial"))), .hang])
        defer { instances.db.cleanup() }
        let running = try await start(instances)
        #expect(!instances.other.stop(conversationID: instances.conversation), "it does not stream on the other instance")

        let stopped = try await instances.other.stopAnywhere(conversationID: instances.conversation)
        #expect(stopped, "stopped through its runner")
        if !stopped { _ = instances.streamer.stop(conversationID: instances.conversation) }
        let events = await running.value
        let answer = try await stored(instances)
        #expect(answer.status == .stopped)
        #expect(answer.error == StopReason.user.rawValue)
        #expect(events.last == .done(status: .stopped, finishReason: nil), "the streamer's own client sees it stop")
        #expect(instances.upstream.terminations == 1, "the upstream call was ended")
        #expect(try await !instances.other.stopAnywhere(conversationID: instances.conversation, wait: .zero), "nothing streams any more")
    }

    /// A pid no process has (beyond Linux's largest).
    static let deadPID: Int32 = 2_147_483_000

    @Test(arguments: TempDatabase.engines) func anAnswerWhoseStreamerDiedIsNotFollowedButInterrupted(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let runner = try db.runner("streamer")
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner").id
        // On SQLite its worker's process is gone; on PostgreSQL its runner (whose pid is this live process's).
        let rows = try await repository.beginTurn(
            conversationID: conversation, parentID: nil, userContent: "hi", model: "m", requestID: "r",
            workerPID: runner == nil ? Self.deadPID : getpid(), runnerID: runner?.runnerID
        )
        let other = try db.repository()
        if let runner {
            #expect(try await other.streamingAnswer(conversationID: conversation)?.alive == true, "alive while its runner is")
            #expect(try await !other.interruptIfOrphaned(messageID: rows.assistant.id))
            await runner.close()
        }
        #expect(try await other.streamingAnswer(conversationID: conversation)?.alive == false)

        let service = ChatService.instance(other, ScriptedUpstream([]), presence: try db.runner("other"))
        #expect(try await service.follow(conversationID: conversation) == nil)
        let answer = try #require(try await repository.messages(conversationID: conversation).last)
        #expect(answer.id == rows.assistant.id)
        #expect(answer.status == .interrupted)
        #expect(answer.error == ClusterSweep.interruptedError)
        #expect(try await other.streamingAnswer(conversationID: conversation) == nil)
    }

    @Test func onSQLiteAnAnswerIsOrphanedWhenItsWorkersPidIsDead() async throws {
        let db = try TempDatabase(.sqlite)
        defer { db.cleanup() }
        let repository = try db.repository()
        var answers: [String] = []
        for pid in [getpid(), Self.deadPID] {
            let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner").id
            answers.append(try await repository.beginTurn(
                conversationID: conversation, parentID: nil, userContent: "hi", model: "m", requestID: "r", workerPID: pid
            ).assistant.id)
        }
        let other = try db.repository()
        #expect(try await !other.interruptIfOrphaned(messageID: answers[0]), "its worker lives")
        #expect(try await other.interruptIfOrphaned(messageID: answers[1]))
        #expect(try await !other.interruptIfOrphaned(messageID: answers[1]), "once")
        let progress = try await other.answerProgress(messageID: answers[1], contentFrom: 0, reasoningFrom: 0)
        #expect(progress?.status == .interrupted)
        #expect(progress?.error == ClusterSweep.interruptedError)
        #expect(try await other.answerProgress(messageID: answers[0], contentFrom: 0, reasoningFrom: 0)?.status == .streaming)
    }
}
