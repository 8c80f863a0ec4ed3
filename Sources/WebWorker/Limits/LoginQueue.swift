import Synchronization

/// The password checks allowed to run at once, and a short, ordered wait for the others.
///
/// bcrypt costs a quarter of a second of CPU on purpose, so only `slots` checks run at a time. A login that finds
/// them busy waits (up to `maxWait`) instead of being refused, and the wait is ordered by standing, not arrival:
/// an address that logged in successfully before goes first, then addresses by how few logins they have failed,
/// then by arrival. A flood of wrong passwords from many addresses therefore delays the owner's login by at most
/// the checks of other addresses in good standing, instead of answering it `429 login_busy` (which a bare counter
/// of busy slots did as soon as two guesses were running). The wait list holds at most `maxWaiting` logins; when
/// it is full, a newcomer in better standing than the worst waiter takes that waiter's place (the waiter is
/// refused), otherwise the newcomer is refused.
///
/// Every `true` from ``acquire(standing:)`` must be followed by exactly one ``release()``.
final class LoginQueue: Sendable {
    /// Lower goes first: -1 for an address that logged in before, else its failed logins.
    typealias Standing = Int

    private struct Waiter {
        let id: UInt64
        let standing: Standing
        let continuation: CheckedContinuation<Bool, Never>

        func goesBefore(_ other: Waiter) -> Bool {
            (standing, id) < (other.standing, other.id)
        }
    }

    private struct State {
        var running = 0
        var nextID: UInt64 = 0
        var waiters: [Waiter] = []
        /// Each waiter's give-up timer, cancelled when the waiter leaves the list another way.
        var timers: [UInt64: Task<Void, Never>] = [:]

        /// Removes the waiter at `index`, cancelling its timer.
        mutating func remove(at index: Int) -> Waiter {
            let waiter = waiters.remove(at: index)
            timers.removeValue(forKey: waiter.id)?.cancel()
            return waiter
        }
    }

    let slots: Int
    let maxWaiting: Int
    let maxWait: Duration
    private let state = Mutex(State())

    init(slots: Int, maxWaiting: Int = 64, maxWait: Duration = .seconds(8)) {
        self.slots = max(1, slots)
        self.maxWaiting = max(0, maxWaiting)
        self.maxWait = maxWait
    }

    /// Waits for a slot; false when the wait list was full of better-standing logins or `maxWait` passed.
    func acquire(standing: Standing) async -> Bool {
        await withCheckedContinuation { continuation in
            let (id, refused) = state.withLock { state -> (UInt64?, CheckedContinuation<Bool, Never>?) in
                if state.running < slots, state.waiters.isEmpty {
                    state.running += 1
                    continuation.resume(returning: true)
                    return (nil, nil)
                }
                state.nextID += 1
                let waiter = Waiter(id: state.nextID, standing: standing, continuation: continuation)
                if state.waiters.count >= maxWaiting {
                    guard let worst = state.waiters.indices.max(by: { state.waiters[$0].goesBefore(state.waiters[$1]) }),
                          waiter.goesBefore(state.waiters[worst]) else {
                        continuation.resume(returning: false)
                        return (nil, nil)
                    }
                    let evicted = state.remove(at: worst)
                    state.waiters.append(waiter)
                    return (waiter.id, evicted.continuation)
                }
                state.waiters.append(waiter)
                return (waiter.id, nil)
            }
            refused?.resume(returning: false)
            if let id {
                let maxWait = self.maxWait
                let timer = Task { [weak self] in
                    guard (try? await Task.sleep(for: maxWait)) != nil else { return }
                    self?.expire(id)
                }
                state.withLock { state in
                    // The waiter may have been admitted or evicted already: then its timer has nothing to do.
                    if state.waiters.contains(where: { $0.id == id }) { state.timers[id] = timer } else { timer.cancel() }
                }
            }
        }
    }

    /// Hands the slot to the best waiter, or frees it.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let best = state.waiters.indices.min(by: { state.waiters[$0].goesBefore(state.waiters[$1]) }) else {
                state.running = max(0, state.running - 1)
                return nil
            }
            return state.remove(at: best).continuation
        }
        next?.resume(returning: true)
    }

    /// Logins waiting now (for tests and the log).
    var waiting: Int { state.withLock { $0.waiters.count } }

    private func expire(_ id: UInt64) {
        let expired = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.remove(at: index).continuation
        }
        expired?.resume(returning: false)
    }
}
