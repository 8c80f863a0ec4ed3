import Synchronization

/// A flag one side raises and the other awaits, without polling: ``raise()`` from any thread, ``wait()`` from one
/// task at a time. A raise is remembered until a wait takes it; a wait also ends when its task is cancelled.
public final class WakeSignal: Sendable {
    private struct State {
        var raised = false
        var waiter: CheckedContinuation<Void, Never>?
        var cancelled = false
    }
    private let state = Mutex(State())

    public init() {}

    /// Wakes the waiting task, or the next one to wait.
    public func raise() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard let waiter = s.waiter else {
                s.raised = true
                return nil
            }
            s.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Forgets a raise no wait has taken yet.
    public func reset() {
        state.withLock { $0.raised = false }
    }

    /// Returns once the signal is raised (taking the raise), or when the task is cancelled (leaving it).
    public func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.raised || s.cancelled {
                        if !s.cancelled { s.raised = false }
                        return true
                    }
                    s.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
                s.cancelled = true
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume()
        }
        state.withLock { $0.cancelled = false }
    }
}
