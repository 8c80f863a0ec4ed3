import NTChat
import NTSystem
import Testing

/// Each person's own budgets (ADR 0018), checked before a turn beside the appliance's.
struct PersonalBudgetTests {
    static let day = UTCDay(parsing: "2026-12-06")!

    @Test func aPersonsOwnDailyBudgetRefusesTheirRequestAndNamesItAsTheirs() async throws {
        let store = FixedSpend(Spend(today: 0.5, month: 0.5))
        store.personal = ["alice": Spend(today: 0.95, month: 0.95)]
        let budget = BudgetGuard(store: store, limits: { BudgetLimits(dailyUSD: 10) }, today: { Self.day })
        let alice = PersonalBudget(ownerID: "alice", dailyUSD: 1, monthlyUSD: nil)
        await #expect(throws: BudgetExceeded.self) { try await budget.admit(conversationID: "c", worstCaseUSD: 0.1, person: alice) }
        do {
            _ = try await budget.admit(conversationID: "c", worstCaseUSD: 0.1, person: alice)
        } catch let exceeded as BudgetExceeded {
            #expect(exceeded.personal && exceeded.budget == .daily && exceeded.message.hasPrefix("your daily budget $1.00"))
        }
        // Bob has no budget of his own: only the appliance's applies to him.
        let bob = PersonalBudget(ownerID: "bob", dailyUSD: nil, monthlyUSD: nil)
        let admitted = try await budget.admit(conversationID: "d", worstCaseUSD: 0.1, person: bob)
        budget.release(admitted)
    }

    @Test func aBudgetOfZeroAllowsNothingAndTheAppliancesBudgetStillBindsEveryone() async throws {
        let store = FixedSpend(Spend(today: 0.99, month: 0.99))
        let budget = BudgetGuard(store: store, limits: { BudgetLimits(dailyUSD: 1) }, today: { Self.day })
        let nothing = PersonalBudget(ownerID: "carol", dailyUSD: 0, monthlyUSD: nil)
        await #expect(throws: BudgetExceeded.self) { try await budget.admit(conversationID: "c", worstCaseUSD: 0, person: nothing) }
        let generous = PersonalBudget(ownerID: "dave", dailyUSD: 100, monthlyUSD: 100)
        do {
            _ = try await budget.admit(conversationID: "c", worstCaseUSD: 0.05, person: generous)
            Issue.record("the appliance's daily budget ($1, $0.99 spent) should refuse a $0.05 worst case")
        } catch let exceeded as BudgetExceeded {
            #expect(!exceeded.personal, "the appliance's budget refused it: \(exceeded.message)")
        }
    }

    @Test func answersStillStreamingCountAgainstTheirOwnersBudgetOnly() async throws {
        let store = FixedSpend(Spend())
        let budget = BudgetGuard(store: store, limits: { BudgetLimits() }, today: { Self.day })
        let alice = PersonalBudget(ownerID: "alice", dailyUSD: 1, monthlyUSD: nil)
        let bob = PersonalBudget(ownerID: "bob", dailyUSD: 1, monthlyUSD: nil)
        let first = try await budget.admit(conversationID: "a1", worstCaseUSD: 0.6, person: alice)
        await #expect(throws: BudgetExceeded.self, "alice's two answers could cost $1.20 together") {
            try await budget.admit(conversationID: "a2", worstCaseUSD: 0.6, person: alice)
        }
        let other = try await budget.admit(conversationID: "b1", worstCaseUSD: 0.6, person: bob)
        budget.release(first)
        budget.release(other)
        let again = try await budget.admit(conversationID: "a2", worstCaseUSD: 0.6, person: alice)
        budget.release(again)
    }

    @Test func nearingAPersonsOwnBudgetWarnsEvenWithoutAnApplianceBudget() async throws {
        let store = FixedSpend(Spend())
        store.personal = ["alice": Spend(today: 0.7, month: 0.7)]
        let budget = BudgetGuard(store: store, limits: { BudgetLimits(warnRatio: 0.8) }, today: { Self.day })
        let alice = PersonalBudget(ownerID: "alice", dailyUSD: 1, monthlyUSD: nil)
        #expect(await !budget.isWarning(conversationID: "c", person: alice, pendingUSD: 0.05))
        #expect(await budget.isWarning(conversationID: "c", person: alice, pendingUSD: 0.1))
        #expect(await !budget.isWarning(conversationID: "c", pendingUSD: 0.1), "nobody's own budget, no appliance budget: no warning")
    }
}
