import Synchronization
import Testing
@testable import WebWorker

/// Password checks take turns by standing: a flood of failing addresses cannot push the owner's login out.
@Suite(.timeLimit(.minutes(1)))
struct LoginQueueTests {
    /// Order in which waiters were admitted, recorded as they get their slot.
    final class Admissions: Sendable {
        private let names = Mutex<[String]>([])
        func add(_ name: String) { names.withLock { $0.append(name) } }
        var all: [String] { names.withLock { $0 } }
    }

    /// Starts a waiter and returns once it is queued.
    func enqueue(_ queue: LoginQueue, _ name: String, standing: Int, into admissions: Admissions) async -> Task<Bool, Never> {
        let before = queue.waiting
        let task = Task {
            let admitted = await queue.acquire(standing: standing)
            if admitted { admissions.add(name) }
            return admitted
        }
        while queue.waiting == before { await Task.yield() }
        return task
    }

    @Test func freeSlotsAreTakenAtOnceAndWaitersGoInOrderOfStandingThenArrival() async {
        let queue = LoginQueue(slots: 2, maxWait: .seconds(30))
        #expect(await queue.acquire(standing: 5))
        #expect(await queue.acquire(standing: 5))
        let admissions = Admissions()
        let attackerA = await enqueue(queue, "attacker-a", standing: 3, into: admissions)
        let fresh = await enqueue(queue, "fresh", standing: 0, into: admissions)
        let attackerB = await enqueue(queue, "attacker-b", standing: 3, into: admissions)
        let owner = await enqueue(queue, "owner", standing: -1, into: admissions)
        #expect(queue.waiting == 4)
        // One slot at a time, each admission recorded before the next release, so the order seen is the queue's.
        for admitted in 1...4 {
            queue.release()
            while admissions.all.count < admitted { await Task.yield() }
        }
        for task in [attackerA, fresh, attackerB, owner] { #expect(await task.value) }
        #expect(admissions.all == ["owner", "fresh", "attacker-a", "attacker-b"])
    }

    @Test func aFullWaitListRefusesANewcomerInWorseStandingAndGivesABetterOneTheWorstPlace() async {
        let queue = LoginQueue(slots: 1, maxWaiting: 2, maxWait: .seconds(30))
        #expect(await queue.acquire(standing: 0))
        let admissions = Admissions()
        let first = await enqueue(queue, "first", standing: 2, into: admissions)
        let second = await enqueue(queue, "second", standing: 4, into: admissions)
        #expect(await queue.acquire(standing: 7) == false, "worse than everyone waiting: refused at once")
        // The list stays full (the owner takes the evicted waiter's place), so wait for the eviction itself.
        let owner = Task {
            let admitted = await queue.acquire(standing: -1)
            if admitted { admissions.add("owner") }
            return admitted
        }
        #expect(await second.value == false, "the worst waiter lost its place")
        queue.release()
        while admissions.all.isEmpty { await Task.yield() }
        queue.release()
        #expect(await owner.value)
        #expect(await first.value)
        #expect(admissions.all == ["owner", "first"])
    }

    @Test func aWaiterGivesUpAfterMaxWaitAndItsSlotIsNotLost() async {
        let queue = LoginQueue(slots: 1, maxWait: .milliseconds(50))
        #expect(await queue.acquire(standing: 0))
        #expect(await queue.acquire(standing: 0) == false)
        #expect(queue.waiting == 0)
        queue.release()
        #expect(await queue.acquire(standing: 0), "the released slot is free again")
    }
}
