import Foundation
import Logging
import NTChat
import NTOpenRouter
import NTStorage
import NTSystem
import Testing

/// Budgets that concurrency cannot outrun: each turn's worst case is reserved from admission until its cost is
/// stored, so many turns started at once are admitted only as far as the budget allows.
@Suite(.timeLimit(.minutes(1)))
struct BudgetConcurrencyTests {
    @Test(arguments: TempDatabase.engines) func fiftyTurnsAtOnceNeverSpendMoreThanTheBudgetAndTheRefusedNeverReachTheUpstream(_ engine: DatabaseEngine) async throws {
        let db = try TempDatabase(engine)
        defer { db.cleanup() }
        let repository = try db.repository()
        let maxTokens = 1_000
        // Worst case of "hi" with 1,000 max tokens: (1 + 4) × 1e-6 + 1,000 × 2e-6 = 0.002005 USD; each answer costs
        // exactly that, so the budget allows ten, and fifty start together.
        let worstCase = 0.002_005
        let usage = Usage(promptTokens: 5, completionTokens: 1_000, totalTokens: 1_005, cost: worstCase)
        var steps = ScriptedUpstream.answer(["spent"], usage: usage)
        steps.insert(.pause(.milliseconds(30)), at: 0)
        let upstream = ScriptedUpstream(steps)
        let dailyUSD = 10 * worstCase + 0.000_001
        let budget = BudgetGuard(store: repository, limits: { BudgetLimits(dailyUSD: dailyUSD) })
        let service = ChatService.make(repository, upstream, models: [ChatGuardTests.priced], budget: budget)
        var conversations: [String] = []
        for i in 0..<50 { conversations.append(try await repository.createConversation(title: "c\(i)", model: nil, systemPrompt: nil, ownerID: "owner").id) }

        // Each task says whether its turn was admitted (true) or refused by the budget (false).
        let outcomes = await withTaskGroup(of: Bool?.self) { group in
            for conversation in conversations {
                group.addTask {
                    do throws(TurnRefusal) {
                        let turn = try await service.start(.init(conversationID: conversation, content: "hi", maxTokens: maxTokens, requestID: conversation), logger: Logger(label: "t"))
                        _ = await collect(turn)
                        return true
                    } catch {
                        if case .budgetExceeded = error { return false }
                        return nil
                    }
                }
            }
            var all: [Bool?] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let spend = try await repository.spend(day: .today(), conversationID: nil)
        let (yes, no) = (outcomes.filter { $0 == true }.count, outcomes.filter { $0 == false }.count)
        #expect(yes + no == 50, "no turn was refused for another reason")
        #expect(yes >= 1 && yes <= 10, "admitted \(yes)")
        #expect(spend.today <= dailyUSD, "spent \(spend.today) of \(dailyUSD)")
        #expect(abs(spend.today - Double(yes) * worstCase) < 1e-9, "every admitted answer's cost is recorded")
        #expect(upstream.requests.count == yes, "a refused turn never reached the upstream")
        #expect(budget.openReservations == 0)
    }
}
