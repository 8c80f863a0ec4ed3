import Foundation
import Logging
import NTChat
import NTOpenRouter
import NTStorage
import Testing

/// The guards around a turn: budget and breaker refusals before anything is stored, retries before the first
/// token only, the context window and max_tokens in the meta event, the budget warning in the usage event.
@Suite(.timeLimit(.minutes(1)))
struct ChatGuardTests {
    static let priced = ModelInfo(id: "fake/lorem", name: "lorem", contextLength: 131_072, promptPrice: 0.000_001,
                                  completionPrice: 0.000_002, maxCompletionTokens: 16_384)
    static let quickRetry = RetryPolicy(maxRetries: 2, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5))

    func start(_ service: ChatService, _ conversation: String, _ content: String? = "hi", maxTokens: Int? = nil) async throws(TurnRefusal) -> ChatTurn {
        try await service.start(.init(conversationID: conversation, content: content, maxTokens: maxTokens, requestID: "r"), logger: Logger(label: "t"))
    }

    func breaker(threshold: Int = 3, clock: ManualClock = ManualClock()) -> CircuitBreaker {
        CircuitBreaker(settings: { BreakerSettings(failureThreshold: threshold, openSeconds: 30) }, clock: clock.breakerClock, logger: Logger(label: "t"))
    }

    /// The circuit of the model the turns use (`fake/lorem`, the default): a 503 is that model's failure.
    func modelCircuit(_ breaker: CircuitBreaker) -> ModelBreakerSnapshot? {
        breaker.snapshot.models.first { $0.model == "fake/lorem" }
    }

    @Test(arguments: TempDatabase.engines) func aRequestThatCouldExceedTheDailyBudgetIsRefusedAndNothingIsStoredOrSent(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let upstream = ScriptedUpstream(ScriptedUpstream.answer(["x"]))
        // Worst case of "hi" with 4096 max tokens: (1 + 4) × 1e-6 + 4096 × 2e-6 = 0.008197 USD.
        let budget = BudgetGuard(store: FixedSpend(Spend(today: 0.994, month: 0.994)), limits: { BudgetLimits(dailyUSD: 1) })
        let service = ChatService.make(repository, upstream, models: [Self.priced], budget: budget)
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")

        let refusal = await #expect(throws: TurnRefusal.self) { _ = try await start(service, conversation.id) }
        guard case .budgetExceeded(let exceeded)? = refusal else { Issue.record("not a budget refusal: \(String(describing: refusal))"); return }
        #expect(exceeded.budget == .daily && exceeded.limitUSD == 1)
        #expect(abs((exceeded.worstCaseUSD ?? 0) - 0.008_197) < 1e-12)
        #expect(exceeded.message == "daily budget $1.00: $0.99 spent, $0.0060 remains; this request could cost up to $0.0082")
        #expect(try await repository.messages(conversationID: conversation.id).isEmpty)
        #expect(upstream.requests.isEmpty)
        #expect(budget.openReservations == 0)

        // A smaller max_tokens fits: (5 × 1e-6) + 2000 × 2e-6 = 0.004005 ≤ 0.006.
        _ = await collect(try await start(service, conversation.id, maxTokens: 2_000))
        #expect(upstream.requests.count == 1)
        #expect(budget.openReservations == 0, "settled once the answer is stored")
    }

    @Test(arguments: TempDatabase.engines) func concurrentAnswersCountAtTheirWorstCaseUntilTheyEnd(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let upstream = ScriptedUpstream([.hang])
        let budget = BudgetGuard(store: repository, limits: { BudgetLimits(dailyUSD: 0.012) })
        let service = ChatService.make(repository, upstream, models: [Self.priced], budget: budget)
        let first = try await repository.createConversation(title: "a", model: nil, systemPrompt: nil, ownerID: "owner")
        let second = try await repository.createConversation(title: "b", model: nil, systemPrompt: nil, ownerID: "owner")

        let streaming = try await start(service, first.id)
        await #expect(throws: TurnRefusal.self) { _ = try await start(service, second.id) }
        _ = service.stop(conversationID: first.id)
        _ = await collect(streaming)
        #expect(budget.openReservations == 0)
        _ = service.stop(conversationID: second.id)
    }

    @Test(arguments: TempDatabase.engines) func aFreeModelPassesAnAlmostUsedUpBudgetAndAnUnknownOneOnlyUntilItIsUsedUp(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let store = FixedSpend(Spend(today: 0.999_999))
        let budget = BudgetGuard(store: store, limits: { BudgetLimits(dailyUSD: 1) })
        let free = ModelInfo(id: "fake/free", name: "free", promptPrice: 0, completionPrice: 0)
        let service = ChatService.make(repository, ScriptedUpstream(ScriptedUpstream.answer(["x"])), models: [free], budget: budget)
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")

        for model in ["fake/free", "openrouter/auto"] {
            let events = await collect(try await service.start(.init(conversationID: conversation.id, content: "hi", model: model, requestID: "r"), logger: Logger(label: "t")))
            #expect(events.last == .done(status: .complete, finishReason: "stop"), "\(model)")
        }
        store.value = Spend(today: 1)
        for model in ["fake/free", "openrouter/auto"] {
            await #expect(throws: TurnRefusal.self, "\(model)") {
                _ = try await service.start(.init(conversationID: conversation.id, content: "hi", model: model, requestID: "r"), logger: Logger(label: "t"))
            }
        }
    }

    @Test(arguments: TempDatabase.engines) func anOpenBreakerRefusesBeforeAnythingIsStored(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let upstream = ScriptedUpstream([.event(.end(upstream503))])
        let breaker = breaker(threshold: 2)
        let service = ChatService.make(repository, upstream, breaker: breaker)
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")

        _ = await collect(try await start(service, conversation.id))
        _ = await collect(try await start(service, conversation.id))
        #expect(modelCircuit(breaker)?.state == .open)
        #expect(breaker.snapshot.state == .closed, "the upstream answered: only the model failed")
        let before = try await repository.messages(conversationID: conversation.id).count
        let refusal = await #expect(throws: TurnRefusal.self) { _ = try await start(service, conversation.id) }
        guard case .circuitOpen(let open)? = refusal else { Issue.record("not a breaker refusal: \(String(describing: refusal))"); return }
        #expect(open.retryInSeconds == 30)
        #expect(open.model == "fake/lorem")
        #expect(try await repository.messages(conversationID: conversation.id).count == before)
        #expect(upstream.requests.count == 2)
    }

    @Test(arguments: TempDatabase.engines) func aBudgetRefusalGivesBackTheHalfOpenProbe(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let clock = ManualClock()
        let breaker = breaker(threshold: 1, clock: clock)
        breaker.record(try breaker.acquire(model: "fake/lorem").get(), .unreachable)
        clock.advance(by: 30)
        let store = FixedSpend(Spend(today: 1))
        let budget = BudgetGuard(store: store, limits: { BudgetLimits(dailyUSD: 1) })
        let service = ChatService.make(repository, ScriptedUpstream(ScriptedUpstream.answer(["ok"])), budget: budget, breaker: breaker)
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")

        let refusal = await #expect(throws: TurnRefusal.self) { _ = try await start(service, conversation.id) }
        guard case .budgetExceeded? = refusal else { Issue.record("not a budget refusal: \(String(describing: refusal))"); return }
        #expect(breaker.snapshot.state == .halfOpen)
        store.value = Spend()
        let events = await collect(try await start(service, conversation.id))
        #expect(events.last == .done(status: .complete, finishReason: "stop"), "the next request is the probe")
        #expect(breaker.snapshot.state == .closed)
    }

    @Test(arguments: TempDatabase.engines) func aFailureBeforeTheFirstTokenIsRetriedAndEveryAttemptCountsForTheBreaker(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let upstream = ScriptedUpstream(attempts: [[.event(.end(upstream503))], [.event(.end(upstream503))], ScriptedUpstream.answer(["fine"])])
        let breaker = breaker(threshold: 3)
        let service = ChatService.make(repository, upstream, retry: Self.quickRetry, breaker: breaker)
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")

        let events = await collect(try await start(service, conversation.id))
        #expect(upstream.requests.count == 3)
        #expect(events.last == .done(status: .complete, finishReason: "stop"))
        #expect(!events.contains { if case .error = $0 { true } else { false } })
        #expect(try await repository.messages(conversationID: conversation.id).last?.content == "fine")
        #expect(modelCircuit(breaker) == nil, "two failures, then a success: nothing left to report")
    }

    @Test(arguments: TempDatabase.engines) func retriesStopWhenTheBreakerOpens(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let upstream = ScriptedUpstream([.event(.end(upstream503))])
        let breaker = breaker(threshold: 2)
        let service = ChatService.make(repository, upstream, retry: RetryPolicy(maxRetries: 5, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2)), breaker: breaker)
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")

        let events = await collect(try await start(service, conversation.id))
        #expect(upstream.requests.count == 2)
        #expect(events.contains(.error(code: "upstream_503", message: "no provider", retryable: true)))
        #expect(modelCircuit(breaker)?.state == .open)
    }

    @Test(arguments: TempDatabase.engines) func noRetryOnceTextReachedTheUser(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let cut = UpstreamFailure(code: "stream_cut", message: "cut", retryable: true)
        let upstream = ScriptedUpstream([.event(.opened(generationID: "g")), .event(.item(.content("par"))), .event(.end(cut))])
        let service = ChatService.make(repository, upstream, retry: Self.quickRetry)
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")

        let events = await collect(try await start(service, conversation.id))
        #expect(upstream.requests.count == 1)
        #expect(events.contains(.error(code: "stream_cut", message: "cut", retryable: true)))
        #expect(try await repository.messages(conversationID: conversation.id).last?.content == "par")
    }

    @Test(arguments: TempDatabase.engines) func aBadRequestIsNotRetriedAndDoesNotCountForTheBreaker(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let bad = UpstreamFailure(code: "upstream_400", message: "too long", httpStatus: 400, retryable: false)
        let upstream = ScriptedUpstream([.event(.end(bad))])
        let breaker = breaker(threshold: 1)
        let service = ChatService.make(repository, upstream, retry: Self.quickRetry, breaker: breaker)
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")
        _ = await collect(try await start(service, conversation.id))
        _ = await collect(try await start(service, conversation.id))
        #expect(upstream.requests.count == 2)
        #expect(breaker.snapshot.state == .closed)
        #expect(modelCircuit(breaker) == nil)
    }

    @Test(arguments: TempDatabase.engines) func theMetaEventTellsMaxTokensAndTrimmedMessagesAndTheRequestCarriesThem(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let upstream = ScriptedUpstream(ScriptedUpstream.answer([String(repeating: "y ", count: 200)]))
        let small = ModelInfo(id: "small", name: "small", contextLength: 500, promptPrice: 0, completionPrice: 0, maxCompletionTokens: 300)
        let service = ChatService.make(repository, upstream, defaultMaxTokens: 4_096, models: [small])
        let conversation = try await repository.createConversation(title: "t", model: "small", systemPrompt: "be brief", ownerID: "owner")
        for _ in 0..<3 { _ = await collect(try await start(service, conversation.id, String(repeating: "q ", count: 100))) }

        // max_tokens 300 (4096 capped by the model) leaves 200 tokens of the 500: system 6 + "last" 5 + the last
        // answer 104 + the last question 54 = 169; the answer before them (104) would not fit.
        let events = await collect(try await start(service, conversation.id, "last"))
        guard case .meta(let meta) = events.first else { Issue.record("no meta"); return }
        #expect(meta.maxTokens == 300)
        #expect(meta.trimmedMessages == 4)
        let stored = try await repository.messages(conversationID: conversation.id)
        #expect(meta.trimmedMessageIDs == Array(stored.prefix(4).map(\.id)), "the page is told which messages were left out: the oldest four")
        #expect(meta.contextLength == 500 && meta.promptTokens == 169, "and how full the context is")
        let sent = try #require(upstream.requests.last)
        #expect(sent.body.maxTokens == 300)
        #expect(sent.body.messages.map(\.role) == [.system, .user, .assistant, .user])
        #expect(sent.body.messages.first?.content == "be brief")
        #expect(sent.body.messages.last?.content == "last")

        _ = await collect(try await start(service, conversation.id, "explicit", maxTokens: 7))
        #expect(upstream.requests.last?.body.maxTokens == 7, "a request's own max_tokens is sent as is")
    }

    @Test(arguments: TempDatabase.engines) func theUsageEventWarnsOnceSpendReachesTheWarnRatio(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let usage = Usage(promptTokens: 10, completionTokens: 10, totalTokens: 20, cachedTokens: 0, reasoningTokens: 0, cost: 0.3, isByok: false)
        let budget = BudgetGuard(store: repository, limits: { BudgetLimits(dailyUSD: 10, perConversationUSD: 1, warnRatio: 0.5) })
        let service = ChatService.make(repository, ScriptedUpstream(ScriptedUpstream.answer(["a"], usage: usage)), budget: budget)
        let conversation = try await repository.createConversation(title: "t", model: "openrouter/auto", systemPrompt: nil, ownerID: "owner")

        func warning() async throws -> Bool? {
            let events = await collect(try await start(service, conversation.id))
            for case .usage(let report) in events { return report.budgetWarning }
            return nil
        }
        #expect(try await warning() == false, "0.3 of 1")
        #expect(try await warning() == true, "0.6 of 1 reaches 0.5")
    }
}
