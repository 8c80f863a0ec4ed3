import NTStorage
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
    /// This runner among instances sharing the database: kept present, and asked for stop requests, on every tick.
    private let presence: RunnerPresence?

    init(repository: any ChatRepository, presence: RunnerPresence? = nil, flushInterval: @escaping @Sendable () -> Duration) {
        self.repository = repository
        self.presence = presence
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

    /// The running turn of a conversation, for a page that attaches to it; nil when none runs in this process.
    func control(conversationID: String) -> TurnControl? {
        state.withLock { $0.turns[conversationID] }
    }

    /// Queues a notice on every running turn (a shutdown has begun).
    func announceAll(_ kind: String, message: String) {
        for control in state.withLock({ Array($0.turns.values) }) { control.announce(kind, message: message) }
    }

    /// Stops the answers other instances asked this runner to stop (``RunnerPresence/pump()``), which also keeps
    /// the runner's lock after a lost connection.
    private func pumpPresence() async {
        guard let presence else { return }
        let asked = Set(await presence.pump())
        guard !asked.isEmpty else { return }
        for control in state.withLock({ Array($0.turns.values) }) where asked.contains(control.messageID) { control.stop(.user) }
    }

    private func flushWhileStreaming() async {
        await pumpPresence()
        while true {
            try? await Task.sleep(for: flushInterval())
            await pumpPresence()
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
