import NTSystem
import Synchronization

/// One running turn as the rest of the process reaches it: its text so far, why it was stopped, and the upstream
/// call to abort or wake.
final class TurnControl: Sendable {
    let conversationID: String
    let messageID: String
    let buffer = AnswerBuffer()

    private struct State {
        var reason: StopReason?
        var call: (any UpstreamCall)?
        var lastSent = ContinuousClock.now
        var keepAliveDue = false
        /// Whether the client that started the turn still takes its events; a failed write detaches it, and the
        /// answer goes on without it (stored, and watched by any page that attaches).
        var attached = true
        /// The first event of the turn, for pages that attach later.
        var meta: ChatEvent.Meta?
        /// Notices waiting to be sent by the turn's own task (``announce(_:message:)``).
        var notices: [ChatEvent] = []
    }
    private let state = Mutex(State())
    /// Raised by ``stop(_:)``: ends a retry pause early.
    private let stopped = WakeSignal()

    init(conversationID: String, messageID: String) {
        self.conversationID = conversationID
        self.messageID = messageID
    }

    /// Why the turn was stopped; nil while it runs on.
    var reason: StopReason? { state.withLock { $0.reason } }

    /// Whether the client that started the turn still takes its events.
    var isAttached: Bool { state.withLock { $0.attached } }

    /// The starting client is gone (a write failed): the turn goes on without it.
    func detach() { state.withLock { $0.attached = false } }

    var meta: ChatEvent.Meta? {
        get { state.withLock { $0.meta } }
        set { state.withLock { $0.meta = newValue } }
    }

    /// Queues a notice for every attached page and wakes the turn, which sends it from its own task.
    func announce(_ kind: String, message: String) {
        let call = state.withLock { s -> (any UpstreamCall)? in
            s.notices.append(.notice(kind: kind, message: message))
            return s.call
        }
        call?.wake()
    }

    /// The notices queued since the last call.
    func takeNotices() -> [ChatEvent] {
        state.withLock { s in
            defer { s.notices.removeAll() }
            return s.notices
        }
    }

    /// Records the first reason, aborts the upstream call and ends a retry pause.
    func stop(_ reason: StopReason) {
        let call = state.withLock { s -> (any UpstreamCall)? in
            if s.reason == nil { s.reason = reason }
            return s.call
        }
        call?.cancel()
        stopped.raise()
    }

    /// Makes `call` the one a stop aborts; a turn stopped already aborts it at once.
    func attach(_ call: (any UpstreamCall)?) {
        let stopped = state.withLock { s -> Bool in
            s.call = call
            return s.reason != nil
        }
        if stopped { call?.cancel() }
    }

    /// Something reached the client now.
    func markSent() {
        state.withLock { $0.lastSent = .now }
    }

    /// Whether a keep-alive was asked for since the last call (and clears the request).
    func takeKeepAliveDue() -> Bool {
        state.withLock { s in
            defer { s.keepAliveDue = false }
            return s.keepAliveDue
        }
    }

    /// Asks for a keep-alive when nothing was sent for `after`, waking the turn's upstream wait.
    func wakeIfSilent(now: ContinuousClock.Instant, after: Duration) {
        let call = state.withLock { s -> (any UpstreamCall)? in
            guard now - s.lastSent >= after else { return nil }
            s.keepAliveDue = true
            s.lastSent = now
            return s.call
        }
        call?.wake()
    }

    /// Waits `delay` (before a retry), or less when the turn is stopped or its task cancelled.
    func pause(for delay: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: delay) }
            group.addTask { await self.stopped.wait() }
            await group.next()
            group.cancelAll()
        }
    }
}
