import NTSystem
import Synchronization

/// Why a running turn was ended early, recorded before its upstream call is cancelled so the stored status says so.
public enum StopReason: String, Sendable {
    case user = "stopped by the user"
    case clientGone = "the client disconnected"
    case shutdown = "the server is shutting down"
}

/// The turns streaming in this process, by conversation, and the one task that serves them all on a timer.
///
/// While any turn streams, one flusher task wakes every `flushInterval`: it stores the text every answer has
/// received since the last tick in one transaction (so a crash loses at most that much), and wakes turns that
/// have sent nothing for ``keepAliveAfter`` so they send a keep-alive. With no turn streaming, the task ends:
/// an idle process has no timer.
final class TurnRegistry: Sendable {
    /// Silence on a stream after which a keep-alive comment is sent (proxies keep the connection; a vanished
    /// client is noticed because the write fails).
    static let keepAliveAfter = Duration.seconds(15)

    private struct State {
        var turns: [String: TurnControl] = [:]
        var flusherRunning = false
    }
    private let state = Mutex(State())
    private let repository: any ChatRepository
    private let flushInterval: @Sendable () -> Duration

    init(repository: any ChatRepository, flushInterval: @escaping @Sendable () -> Duration) {
        self.repository = repository
        self.flushInterval = flushInterval
    }

    /// Registers a turn; refuses a second concurrent turn in the same conversation (returns false).
    func register(_ control: TurnControl) -> Bool {
        let startFlusher = state.withLock { s -> Bool? in
            guard s.turns[control.conversationID] == nil else { return nil }
            s.turns[control.conversationID] = control
            defer { s.flusherRunning = true }
            return !s.flusherRunning
        }
        guard let startFlusher else { return false }
        if startFlusher { Task { await self.flushWhileStreaming() } }
        return true
    }

    func unregister(_ control: TurnControl) {
        state.withLock { s in
            if s.turns[control.conversationID] === control { s.turns[control.conversationID] = nil }
        }
    }

    /// Stops the conversation's running turn, remembering why; false when none runs.
    func stop(conversationID: String, reason: StopReason) -> Bool {
        guard let control = state.withLock({ $0.turns[conversationID] }) else { return false }
        control.stop(reason)
        return true
    }

    func isActive(conversationID: String) -> Bool {
        state.withLock { $0.turns[conversationID] != nil }
    }

    /// Stops every running turn (graceful shutdown past its grace period).
    func stopAll(reason: StopReason) {
        for control in state.withLock({ Array($0.turns.values) }) { control.stop(reason) }
    }

    var count: Int { state.withLock { $0.turns.count } }

    private func flushWhileStreaming() async {
        while true {
            try? await Task.sleep(for: flushInterval())
            let controls = state.withLock { s -> [TurnControl]? in
                guard !s.turns.isEmpty else {
                    s.flusherRunning = false
                    return nil
                }
                return Array(s.turns.values)
            }
            guard let controls else { return }
            let now = ContinuousClock.now
            var updates: [ProgressUpdate] = []
            for control in controls {
                if let text = control.buffer.takeIfDirty() {
                    updates.append(ProgressUpdate(messageID: control.messageID, content: text.content, reasoning: text.reasoning))
                }
                control.wakeIfSilent(now: now, after: Self.keepAliveAfter)
            }
            try? await repository.saveProgress(updates)
        }
    }
}

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

/// The text of an answer while it streams, shared by the turn and the periodic flusher.
final class AnswerBuffer: Sendable {
    private struct State {
        var content = ""
        var reasoning = ""
        var dirty = false
    }
    private let state = Mutex(State())

    func append(content: String) { state.withLock { $0.content += content; $0.dirty = true } }
    func append(reasoning: String) { state.withLock { $0.reasoning += reasoning; $0.dirty = true } }

    /// The text, if it changed since the last call.
    func takeIfDirty() -> (content: String, reasoning: String)? {
        state.withLock { s in
            guard s.dirty else { return nil }
            s.dirty = false
            return (s.content, s.reasoning)
        }
    }

    var snapshot: (content: String, reasoning: String) { state.withLock { ($0.content, $0.reasoning) } }
}
