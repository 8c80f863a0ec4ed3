import Foundation
import NTChat
import NTOpenRouter
import NTStorage
import Testing

/// One chat turn, from request to stored answer, against an in-process upstream.
@Suite(.timeLimit(.minutes(1)))
struct ChatServiceTests {
    @Test(arguments: TempDatabase.engines) func aCompleteAnswerIsRelayedInOrderAndStoredWithItsUsage(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let usage = Usage(promptTokens: 12, completionTokens: 3, totalTokens: 15, cachedTokens: 0, reasoningTokens: 0, cost: 0.00042, isByok: false)
        let service = ChatService.make(repository, ScriptedUpstream(ScriptedUpstream.answer(["Hel", "lo", "!"], usage: usage)))
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: "be brief", ownerID: "owner")

        let events = await collect(try await service.start(.init(conversationID: conversation.id, content: "hi", requestID: "r1"), logger: .init(label: "t")))

        guard case .meta(let meta) = events.first else { Issue.record("no meta first: \(events)"); return }
        #expect(meta.requestID == "r1")
        #expect(events.compactMap { if case .delta(let t) = $0 { t } else { nil } } == ["Hel", "lo", "!"])
        #expect(events.last == .done(status: .complete, finishReason: "stop"))
        let messages = try await repository.messages(conversationID: conversation.id)
        #expect(messages.map(\.role) == [.user, .assistant])
        #expect(messages[0].content == "hi")
        let answer = messages[1]
        #expect(answer.content == "Hello!")
        #expect(answer.status == .complete)
        #expect(answer.costUSD == 0.00042)
        #expect(answer.promptTokens == 12 && answer.completionTokens == 3)
        #expect(answer.generationID == "gen-1")
        #expect(answer.ttftMs != nil && answer.durationMs != nil)
    }

    @Test(arguments: TempDatabase.engines) func theSystemPromptAndHistoryGoUpstreamButNotTheEmptyAnswer(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let upstream = ScriptedUpstream(ScriptedUpstream.answer(["ok"]))
        let service = ChatService.make(repository, upstream)
        let conversation = try await repository.createConversation(title: "t", model: "m/x", systemPrompt: "sys", ownerID: "owner")
        _ = await collect(try await service.start(.init(conversationID: conversation.id, content: "one", requestID: "a"), logger: .init(label: "t")))
        _ = await collect(try await service.start(.init(conversationID: conversation.id, content: "two", requestID: "b"), logger: .init(label: "t")))

        let sent = try #require(upstream.requests.last)
        #expect(sent.body.model == "m/x")
        #expect(sent.body.messages.map(\.role.rawValue) == ["system", "user", "assistant", "user"])
        #expect(sent.body.messages.map(\.content) == ["sys", "one", "ok", "two"])
        #expect(sent.requestID == "b")
    }

    @Test(arguments: TempDatabase.engines) func theUserMessageIsStoredBeforeTheUpstreamIsCalledAndSurvivesItsFailure(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let failure = UpstreamFailure(code: "upstream_502", message: "model down", httpStatus: 502, retryable: true)
        let service = ChatService.make(repository, ScriptedUpstream([.event(.end(failure))]))
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")

        let events = await collect(try await service.start(.init(conversationID: conversation.id, content: "keep me", requestID: "r"), logger: .init(label: "t")))

        #expect(events.contains(.error(code: "upstream_502", message: "model down", retryable: true)))
        #expect(events.last == .done(status: .error, finishReason: nil))
        let messages = try await repository.messages(conversationID: conversation.id)
        #expect(messages.first?.content == "keep me")
        #expect(messages.last?.status == .error)
        #expect(messages.last?.error == "model down")
    }

    @Test(arguments: TempDatabase.engines) func aMidStreamErrorKeepsThePartialTextMarkedAsError(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let error = StreamError(code: "502", message: "Provider returned error", metadata: nil)
        let service = ChatService.make(repository, ScriptedUpstream([
            .event(.item(.content("par"))), .event(.item(.content("tial"))), .event(.item(.upstreamError(error))),
            .event(.item(.finished(reason: "error", nativeReason: nil))), .event(.end(nil)),
        ]))
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")
        _ = await collect(try await service.start(.init(conversationID: conversation.id, content: "q", requestID: "r"), logger: .init(label: "t")))
        let answer = try #require(try await repository.messages(conversationID: conversation.id).last)
        #expect(answer.status == .error)
        #expect(answer.content == "partial")
        #expect(answer.error == "Provider returned error")
    }

    @Test(arguments: TempDatabase.engines) func stopEndsTheUpstreamTransferAndKeepsTheTextSoFar(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let upstream = ScriptedUpstream([.event(.item(.content("first words"))), .hang])
        let service = ChatService.make(repository, upstream)
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")
        let stream = try await service.start(.init(conversationID: conversation.id, content: "q", requestID: "r"), logger: .init(label: "t"))

        var events: [ChatEvent] = []
        for await event in stream {
            events.append(event)
            if case .delta = event { #expect(service.stop(conversationID: conversation.id)) }
        }
        #expect(events.last == .done(status: .stopped, finishReason: nil))
        #expect(upstream.terminations == 1)
        let answer = try #require(try await repository.messages(conversationID: conversation.id).last)
        #expect(answer.status == .stopped)
        #expect(answer.content == "first words")
        #expect(answer.error == StopReason.user.rawValue)
    }

    @Test(arguments: TempDatabase.engines) func thePartialAnswerIsFlushedWhileItStreams(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let service = ChatService.make(repository, ScriptedUpstream([.event(.item(.content("so far"))), .hang]), flush: .milliseconds(20))
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")
        let stream = try await service.start(.init(conversationID: conversation.id, content: "q", requestID: "r"), logger: .init(label: "t"))
        let consumer = Task { await collect(stream) }

        var stored: Message?
        for _ in 0..<100 {
            try await Task.sleep(for: .milliseconds(10))
            stored = try await repository.messages(conversationID: conversation.id).last
            if stored?.content == "so far" { break }
        }
        #expect(stored?.status == .streaming)
        #expect(stored?.content == "so far")
        _ = service.stop(conversationID: conversation.id)
        _ = await consumer.value
    }

    @Test(arguments: TempDatabase.engines) func aSecondTurnWhileOneStreamsIsRefused(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let service = ChatService.make(repository, ScriptedUpstream([.hang]))
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")
        let first = try await service.start(.init(conversationID: conversation.id, content: "a", requestID: "1"), logger: .init(label: "t"))
        await #expect(throws: TurnRefusal.alreadyStreaming) {
            _ = try await service.start(.init(conversationID: conversation.id, content: "b", requestID: "2"), logger: .init(label: "t"))
        }
        _ = service.stop(conversationID: conversation.id)
        _ = await collect(first)
    }

    /// Regenerate used to delete the last answer; it now keeps it as an alternative beside the new one, which is the
    /// current leaf.
    @Test(arguments: TempDatabase.engines) func regenerateKeepsTheOldAnswerBesideTheNewOne(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let service = ChatService.make(repository, ScriptedUpstream(ScriptedUpstream.answer(["again"])))
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")
        _ = await collect(try await service.start(.init(conversationID: conversation.id, content: "q", requestID: "1"), logger: .init(label: "t")))
        _ = await collect(try await service.start(.init(conversationID: conversation.id, content: nil, requestID: "2"), logger: .init(label: "t")))
        let messages = try await repository.messages(conversationID: conversation.id)
        #expect(messages.map(\.role) == [.user, .assistant, .assistant])
        #expect(messages[1].parentID == messages[0].id && messages[2].parentID == messages[0].id)
        let path = try await repository.path(conversationID: conversation.id)
        #expect(path.map(\.id) == [messages[0].id, messages[2].id])
        #expect(path.last?.requestID == "2")
        #expect(path.last?.siblingIDs == [messages[1].id, messages[2].id])
    }
}
