import Synchronization

/// Why a running turn was ended early, recorded before its task is cancelled so the stored status says so.
public enum StopReason: String, Sendable {
    case user = "stopped by the user"
    case clientGone = "the client disconnected"
    case shutdown = "the server is shutting down"
}

/// The turns streaming in this process, by conversation, so `stop` can find and cancel one.
final class TurnRegistry: Sendable {
    private struct Entry {
        let token: Int
        let task: Task<Void, Never>
        var reason: StopReason?
    }
    private let entries = Mutex<[String: Entry]>([:])
    private let nextToken = Atomic<Int>(0)

    /// Registers a turn; refuses a second concurrent turn in the same conversation (returns nil).
    func register(conversationID: String, task: Task<Void, Never>) -> Int? {
        let token = nextToken.add(1, ordering: .relaxed).newValue
        return entries.withLock { map in
            guard map[conversationID] == nil else { return nil }
            map[conversationID] = Entry(token: token, task: task)
            return token
        }
    }

    func unregister(conversationID: String, token: Int) {
        entries.withLock { map in
            if map[conversationID]?.token == token { map[conversationID] = nil }
        }
    }

    /// Cancels the conversation's running turn, remembering why; false when none runs.
    func stop(conversationID: String, reason: StopReason) -> Bool {
        let task = entries.withLock { map -> Task<Void, Never>? in
            guard var entry = map[conversationID] else { return nil }
            if entry.reason == nil { entry.reason = reason }
            map[conversationID] = entry
            return entry.task
        }
        task?.cancel()
        return task != nil
    }

    func reason(conversationID: String) -> StopReason? {
        entries.withLock { $0[conversationID]?.reason }
    }

    func isActive(conversationID: String) -> Bool {
        entries.withLock { $0[conversationID] != nil }
    }

    /// Stops every running turn (graceful shutdown past its grace period).
    func stopAll(reason: StopReason) {
        let ids = entries.withLock { Array($0.keys) }
        for id in ids { _ = stop(conversationID: id, reason: reason) }
    }

    var count: Int { entries.withLock { $0.count } }
}

/// The text of an answer while it streams, shared by the relay loop and the periodic flusher.
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
