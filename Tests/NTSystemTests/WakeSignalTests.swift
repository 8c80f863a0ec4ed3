import NTSystem
import Synchronization
import Testing

/// A raise wakes one wait and is kept until a wait takes it; a cancelled wait returns without taking one.
struct WakeSignalTests {
    /// Starts a wait and reports whether it has returned.
    func waiting(on signal: WakeSignal) -> (task: Task<Void, Never>, returned: @Sendable () -> Bool) {
        let box = DoneBox()
        let task = Task {
            await signal.wait()
            box.flag.store(true, ordering: .releasing)
        }
        return (task, { box.flag.load(ordering: .acquiring) })
    }

    @Test func aRaiseWakesOneWaitOnly() async throws {
        let signal = WakeSignal()
        let first = waiting(on: signal)
        try await Task.sleep(for: .milliseconds(30))
        #expect(!first.returned())
        signal.raise()
        await first.task.value
        let second = waiting(on: signal)
        try await Task.sleep(for: .milliseconds(30))
        #expect(!second.returned(), "the raise was taken by the first wait")
        signal.raise()
        await second.task.value
    }

    @Test func aRaiseBeforeTheWaitIsKeptAndResetForgetsIt() async throws {
        let signal = WakeSignal()
        signal.raise()
        await signal.wait()  // returns at once: the raise was kept
        signal.raise()
        signal.reset()
        let forgotten = waiting(on: signal)
        try await Task.sleep(for: .milliseconds(30))
        #expect(!forgotten.returned())
        forgotten.task.cancel()
        await forgotten.task.value
        let next = waiting(on: signal)
        try await Task.sleep(for: .milliseconds(30))
        #expect(!next.returned(), "the cancelled wait left no raise behind")
        signal.raise()
        await next.task.value
    }
}

final class DoneBox: Sendable {
    let flag = Atomic<Bool>(false)
}
