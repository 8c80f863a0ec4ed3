import Foundation
import Logging
import NTChat
import NTOpenRouter
import NTStorage
import NTSystem
import Synchronization
import Testing

/// Every answer the upstream billed gets a cost, and says where it comes from: the upstream's usage (reported),
/// the upstream's record fetched later (reconciled), or the text counted and priced (estimated).
@Suite(.timeLimit(.minutes(1)))
struct CostSourceTests {
    static let priced = ChatGuardTests.priced
    static let usage = Usage(promptTokens: 10, completionTokens: 2, totalTokens: 12, cost: 0.000_5)

    /// Generation records as a test scripts them: answers in order, the last repeating.
    final class ScriptedRecords: GenerationRecords {
        let answers: [GenerationLookup]
        let asked = Atomic<Int>(0)
        init(_ answers: [GenerationLookup]) { self.answers = answers }
        func generation(id: String) async -> GenerationLookup {
            let n = asked.add(1, ordering: .relaxed).newValue
            return answers[min(n, answers.count) - 1]
        }
    }

    func turn(_ engine: DatabaseEngine, _ steps: [ScriptedUpstream.Step], reconciler: (any ChatRepository) -> CostReconciler? = { _ in nil },
              stopAfterFirstToken: Bool = false) async throws -> (events: [ChatEvent], answer: Message, repository: SQLChatRepository, db: TempDatabase) {
        let db = try TempDatabase(engine)
        let repository = try db.repository()
        let service = ChatService(
            repository: repository, upstream: ScriptedUpstream(steps), workerPID: getpid(), logger: Logger(label: "t"),
            prices: { $0 == Self.priced.id ? Self.priced : nil }, reconciler: reconciler(repository)
        ) { ChatSettings(defaultModel: Self.priced.id, flushInterval: .milliseconds(20)) }
        let conversation = try await repository.createConversation(title: "t", model: nil, systemPrompt: nil, ownerID: "owner")
        let turn = try await service.start(.init(conversationID: conversation.id, content: "How far is the moon?", requestID: "r"), logger: Logger(label: "t"))
        var events: [ChatEvent] = []
        for await event in turn {
            events.append(event)
            if stopAfterFirstToken, case .delta = event { _ = service.stop(conversationID: conversation.id) }
        }
        let answer = try #require(try await repository.messages(conversationID: conversation.id).last)
        return (events, answer, repository, db)
    }

    func usageEvents(_ events: [ChatEvent]) -> [ChatEvent.UsageReport] {
        events.compactMap { if case .usage(let u) = $0 { u } else { nil } }
    }

    @Test(arguments: TempDatabase.engines) func anAnswerWithTheUpstreamsUsageIsReported(_ engine: DatabaseEngine) async throws {
        let (events, answer, _, db) = try await turn(engine, ScriptedUpstream.answer(["Far", "."], usage: Self.usage))
        defer { db.cleanup() }
        #expect(answer.costUSD == 0.000_5 && answer.costSource == .reported)
        #expect(usageEvents(events).map(\.costSource) == [.reported])
    }

    @Test(arguments: TempDatabase.engines) func anAnswerWithoutUsageIsEstimatedFromItsTextAndCountsInTheDaysSpend(_ engine: DatabaseEngine) async throws {
        let (events, answer, repository, db) = try await turn(engine, ScriptedUpstream.answer(["About 384,400 ", "km on average."]))
        defer { db.cleanup() }
        let cost = try #require(answer.costUSD)
        #expect(answer.costSource == .estimated)
        #expect(cost > 0)
        let prompt = TokenEstimate.tokens(in: [ChatMessage(role: .user, content: "How far is the moon?")])
        let completion = TokenEstimate.tokens(in: "About 384,400 km on average.")
        #expect(answer.promptTokens == prompt && answer.completionTokens == completion)
        #expect(abs(cost - (Double(prompt) * 0.000_001 + Double(completion) * 0.000_002)) < 1e-12)
        let reports = usageEvents(events)
        #expect(reports.count == 1 && reports[0].costSource == .estimated && reports[0].costUSD == cost)
        guard let last = events.last, case .done(.complete, _) = last else { Issue.record("done last: \(events.suffix(2))"); return }
        let spend = try await repository.spend(day: .today(), conversationID: nil)
        #expect(abs(spend.today - cost) < 1e-12 && abs(spend.estimatedToday - cost) < 1e-12)
    }

    @Test(arguments: TempDatabase.engines) func aStoppedAnswerIsEstimatedForWhatWasGenerated(_ engine: DatabaseEngine) async throws {
        var steps = ScriptedUpstream.answer(["Partial ", "text"])
        steps.insert(.hang, at: 3)
        let (_, answer, _, db) = try await turn(engine, steps, stopAfterFirstToken: true)
        defer { db.cleanup() }
        #expect(answer.status == .stopped)
        #expect(answer.costSource == .estimated && (answer.costUSD ?? 0) > 0)
    }

    @Test(arguments: TempDatabase.engines) func anEstimateIsReplacedByTheUpstreamsRecordOnceItExists(_ engine: DatabaseEngine) async throws {
        let record = GenerationRecord(totalCostUSD: 0.004_2, promptTokens: 11, completionTokens: 9, cancelled: false)
        let records = ScriptedRecords([.notYet, .notYet, .found(record)])
        let (_, estimated, repository, db) = try await turn(engine, ScriptedUpstream.answer(["Far."])) { repository in
            CostReconciler(repository: repository, records: records, logger: Logger(label: "t"), schedule: [.milliseconds(10)])
        }
        defer { db.cleanup() }
        #expect(estimated.costSource == .estimated)
        var answer = estimated
        for _ in 0..<200 where answer.costSource != .reconciled {
            try await Task.sleep(for: .milliseconds(10))
            answer = try #require(try await repository.messages(conversationID: estimated.conversationID).last)
        }
        #expect(answer.costSource == .reconciled && answer.costUSD == 0.004_2)
        #expect(answer.promptTokens == 11 && answer.completionTokens == 9, "the provider's own counts replace the estimate's")
        #expect(records.asked.load(ordering: .relaxed) == 3)
        let spend = try await repository.spend(day: .today(), conversationID: estimated.conversationID)
        #expect(abs(spend.today - 0.004_2) < 1e-12 && abs(spend.conversation - 0.004_2) < 1e-12)
        #expect(abs(spend.estimatedToday) < 1e-12, "nothing of the day is estimated any more")
    }

    @Test(arguments: TempDatabase.engines) func anUpstreamWithoutRecordsLeavesTheEstimate(_ engine: DatabaseEngine) async throws {
        let records = ScriptedRecords([.unsupported("GET /generation answered 405")])
        let (_, estimated, repository, db) = try await turn(engine, ScriptedUpstream.answer(["Far."])) { repository in
            CostReconciler(repository: repository, records: records, logger: Logger(label: "t"), schedule: [.milliseconds(5)])
        }
        defer { db.cleanup() }
        for _ in 0..<100 where records.asked.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(50))
        #expect(records.asked.load(ordering: .relaxed) == 1, "asked once, then stopped asking")
        #expect(try await repository.messages(conversationID: estimated.conversationID).last?.costSource == .estimated)
    }

    @Test(arguments: TempDatabase.engines) func aReportedCostIsNeverOverwrittenAndUnreconciledAnswersAreFoundAgain(_ engine: DatabaseEngine) async throws {
        let (_, reported, repository, db) = try await turn(engine, ScriptedUpstream.answer(["Far."], usage: Self.usage))
        defer { db.cleanup() }
        let changed = try await repository.reconcileCost(messageID: reported.id, record: GenerationRecord(totalCostUSD: 9))
        #expect(!changed)
        #expect(try await repository.messages(conversationID: reported.conversationID).last?.costUSD == 0.000_5)

        let conversation = try await repository.createConversation(title: "u", model: nil, systemPrompt: nil, ownerID: "owner")
        let rows = try await repository.beginTurn(conversationID: conversation.id, userContent: "q", model: "m", requestID: "r", workerPID: 1, replacingLastAnswer: false)
        var outcome = MessageOutcome(status: .stopped, content: "half", reasoning: "")
        outcome.costUSD = 0.001
        outcome.costSource = .estimated
        outcome.generationID = "gen-open"
        try await repository.finish(messageID: rows.assistant.id, outcome: outcome)
        let pending = try await repository.unreconciledAnswers(endedAfter: UTCTime(unix: UTCTime.now().unix - 60))
        #expect(pending == [UnreconciledAnswer(messageID: rows.assistant.id, generationID: "gen-open", model: "m")])
        #expect(try await repository.unreconciledAnswers(endedAfter: UTCTime(unix: UTCTime.now().unix + 60)).isEmpty)
    }
}
