import Foundation
import NTChat
import NTStorage
import NTSystem
import Testing

/// Budgets shared by several appliances on one PostgreSQL database (ADR 0021): every instance's admissions are
/// reserved in the database under the writers' lock, so two instances admitting at once never together pass a
/// budget each alone would fit, and a dead instance's reservations stop counting.
@Suite(.timeLimit(.minutes(1)))
struct SharedBudgetTests {
    static let worstCase = 0.01

    /// Two instances' budget guards on one database, each with its repository connection and its runner.
    struct Instances {
        let db: TempDatabase
        let runners: [RunnerPresence]
        let guards: [BudgetGuard]
        let conversations: [String]
    }

    enum Outcome: Sendable, Equatable {
        case admitted(BudgetReservation)
        case refused(BudgetExceeded)
        case failed(String)
    }

    func instances(limits: BudgetLimits, conversations count: Int = 40) async throws -> Instances {
        let db = try TempDatabase(.postgres)
        var runners: [RunnerPresence] = []
        var guards: [BudgetGuard] = []
        for name in ["a", "b"] {
            let repository = try db.repository()
            let runner = try #require(try db.runner(name))
            runners.append(runner)
            guards.append(BudgetGuard(store: repository, ledger: DatabaseReservations(repository: repository, presence: runner), limits: { limits }))
        }
        let repository = try db.repository()
        var conversations: [String] = []
        for i in 0..<count {
            conversations.append(try await repository.createConversation(title: "c\(i)", model: nil, systemPrompt: nil, ownerID: "alice").id)
        }
        return Instances(db: db, runners: runners, guards: guards, conversations: conversations)
    }

    func admit(_ guardian: BudgetGuard, _ conversation: String, person: PersonalBudget? = nil) async -> Outcome {
        do {
            return .admitted(try await guardian.admit(conversationID: conversation, worstCaseUSD: Self.worstCase, person: person))
        } catch let exceeded as BudgetExceeded {
            return .refused(exceeded)
        } catch {
            return .failed("\(error)")
        }
    }

    /// Admits one turn per conversation, all at once, dealt out over both instances.
    func admitTogether(_ instances: Instances, person: PersonalBudget? = nil) async -> [Outcome] {
        await withTaskGroup(of: Outcome.self) { group in
            for (i, conversation) in instances.conversations.enumerated() {
                let guardian = instances.guards[i % 2]
                group.addTask { await admit(guardian, conversation, person: person) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    func admissions(_ outcomes: [Outcome]) -> [BudgetReservation] {
        outcomes.compactMap { if case .admitted(let r) = $0 { r } else { nil } }
    }

    func refusals(_ outcomes: [Outcome]) -> [BudgetExceeded] {
        outcomes.compactMap { if case .refused(let e) = $0 { e } else { nil } }
    }

    /// A daily budget that fits `n` worst cases, not `n + 1`.
    func fitting(_ n: Int) -> Double { Double(n) * Self.worstCase + Self.worstCase / 10 }

    @Test func fortyAdmissionsOverTwoInstancesAdmitExactlyWhatTheDailyBudgetFitsAndSettlingFreesRoom() async throws {
        let shared = try await instances(limits: BudgetLimits(dailyUSD: fitting(7)))
        defer { shared.db.cleanup() }
        let outcomes = await admitTogether(shared)
        let admitted = admissions(outcomes)
        #expect(admitted.count == 7, "\(outcomes)")
        #expect(refusals(outcomes).count == 33, "no admission failed otherwise: \(outcomes)")
        #expect(refusals(outcomes).allSatisfy { $0.budget == .daily && !$0.personal })
        #expect(try shared.db.reservations() == 7, "a refused admission stores no reservation")

        await shared.guards[0].settle(admitted[0])
        #expect(try shared.db.reservations() == 6, "settling deletes the reservation")
        #expect(admissions(await [admit(shared.guards[1], shared.conversations[0])]).count == 1, "its room is free again, on either instance")
        let over = await admit(shared.guards[0], shared.conversations[1])
        guard case .refused = over else { Issue.record("admitted past the budget: \(over)"); return }
        #expect(try shared.db.reservations() == 7)
    }

    @Test func aRefusedAdmissionStoresNoReservation() async throws {
        let shared = try await instances(limits: BudgetLimits(dailyUSD: Self.worstCase / 2), conversations: 1)
        defer { shared.db.cleanup() }
        for guardian in shared.guards {
            let outcome = await admit(guardian, shared.conversations[0])
            guard case .refused(let exceeded) = outcome else { Issue.record("\(outcome)"); continue }
            #expect(exceeded.budget == .daily)
        }
        #expect(try shared.db.reservations() == 0)
    }

    @Test func aDeadRunnersReservationsStopCounting() async throws {
        let shared = try await instances(limits: BudgetLimits(dailyUSD: fitting(6)), conversations: 8)
        defer { shared.db.cleanup() }
        for i in 0..<6 {
            #expect(admissions(await [admit(shared.guards[i % 2], shared.conversations[i])]).count == 1)
        }
        guard case .refused = await admit(shared.guards[0], shared.conversations[6]) else { Issue.record("admitted past the budget"); return }

        await shared.runners[1].close()
        // Instance b died with three answers in flight: their worst cases no longer count.
        for i in 0..<3 {
            let outcome = await admit(shared.guards[0], shared.conversations[6 + i % 2])
            guard case .admitted = outcome else { Issue.record("after b died, admission \(i): \(outcome)"); return }
        }
        guard case .refused = await admit(shared.guards[0], shared.conversations[7]) else { Issue.record("admitted past the budget"); return }
        #expect(try shared.db.reservations() == 6)
        #expect(try shared.db.connection().scalarInt("SELECT COUNT(*) FROM budget_reservations WHERE runner_id = \(shared.runners[1].runnerID)") == 0)
    }

    @Test func aPersonalBudgetIsSharedByBothInstancesToo() async throws {
        let shared = try await instances(limits: BudgetLimits())
        defer { shared.db.cleanup() }
        let alice = PersonalBudget(ownerID: "alice", dailyUSD: fitting(5), monthlyUSD: nil)
        let outcomes = await admitTogether(shared, person: alice)
        let admitted = admissions(outcomes)
        #expect(admitted.count == 5, "\(outcomes)")
        #expect(refusals(outcomes).count == 35)
        #expect(refusals(outcomes).allSatisfy { $0.personal && $0.budget == .daily })
        #expect(try shared.db.reservations(ownerID: "alice") == 5, "a refused admission stores no reservation")

        let bob = PersonalBudget(ownerID: "bob", dailyUSD: fitting(1), monthlyUSD: nil)
        #expect(admissions(await [admit(shared.guards[1], shared.conversations[0], person: bob)]).count == 1, "another person's budget is their own")
        await shared.guards[1].settle(admitted[0])
        #expect(admissions(await [admit(shared.guards[0], shared.conversations[0], person: alice)]).count == 1, "settling frees alice's room")
        guard case .refused = await admit(shared.guards[1], shared.conversations[1], person: alice) else { Issue.record("admitted past alice's budget"); return }

        await shared.runners[0].close()
        // a died: alice's answers in flight there no longer count, and b admits hers up to her budget again.
        var more = 0
        while more < 40, case .admitted = await admit(shared.guards[1], shared.conversations[0], person: alice) { more += 1 }
        #expect(more > 0, "what a held was freed")
        #expect(try shared.db.reservations(ownerID: "alice") == 5, "and no more than her budget")
        #expect(try shared.db.connection().scalarInt(
            "SELECT COUNT(*) FROM budget_reservations WHERE owner_id = 'alice' AND runner_id <> \(shared.runners[1].runnerID)") == 0)
    }

    @Test("a runner whose session was lost while idle is present again before it admits, so every instance counts what it admits")
    func anIdleRunnerWhoseSessionWasLostStillCountsWhatItAdmits() async throws {
        let shared = try await instances(limits: BudgetLimits(dailyUSD: fitting(1)), conversations: 2)
        defer { shared.db.cleanup() }
        #expect(try shared.db.endSession(ofRunner: "a") == 1)
        // Instance a lives on and admits an answer; b must count it until a settles it.
        let first = await admit(shared.guards[0], shared.conversations[0])
        guard case .admitted = first else { Issue.record("\(first)"); return }
        let second = await admit(shared.guards[1], shared.conversations[1])
        guard case .refused = second else { Issue.record("b admitted past the budget while a's answer is in flight: \(second)"); return }
        #expect(try shared.db.reservations() == 1)
    }
}
