import Synchronization

/// The text of an answer while it streams, shared by the turn, the periodic flusher and the clients watching it.
///
/// Watchers (pages that attached after the answer began: another tab, a reload) get the text so far and then
/// every piece appended, under the same lock, so a piece is never both in a watcher's snapshot and sent to it
/// again, nor missing from both. With no watcher, an append costs what it did before.
final class AnswerBuffer: Sendable {
    private struct State {
        var content = ""
        var reasoning = ""
        var dirty = false
        var watchers: [Int: AsyncStream<ChatEvent>.Continuation] = [:]
        var nextWatcher = 0
        var ended = false
    }
    private let state = Mutex(State())

    func append(content: String) {
        state.withLock { s in
            s.content += content
            s.dirty = true
            for watcher in s.watchers.values { watcher.yield(.delta(content)) }
        }
    }

    func append(reasoning: String) {
        state.withLock { s in
            s.reasoning += reasoning
            s.dirty = true
            for watcher in s.watchers.values { watcher.yield(.reasoning(reasoning)) }
        }
    }

    /// The text, if it changed since the last call.
    func takeIfDirty() -> (content: String, reasoning: String)? {
        state.withLock { s in
            guard s.dirty else { return nil }
            s.dirty = false
            return (s.content, s.reasoning)
        }
    }

    var snapshot: (content: String, reasoning: String) { state.withLock { ($0.content, $0.reasoning) } }

    /// A stream that starts with the text so far (``ChatEvent/snapshot(content:reasoning:)``) and goes on with every
    /// event of the answer until it ends; nil once the answer has ended.
    func watch() -> AsyncStream<ChatEvent>? {
        let (stream, continuation) = AsyncStream.makeStream(of: ChatEvent.self)
        let id = state.withLock { s -> Int? in
            guard !s.ended else { return nil }
            s.nextWatcher += 1
            s.watchers[s.nextWatcher] = continuation
            continuation.yield(.snapshot(content: s.content, reasoning: s.reasoning))
            return s.nextWatcher
        }
        guard let id else { return nil }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Hands an event that is not text (usage, error, notice, done) to every watcher.
    func broadcast(_ event: ChatEvent) {
        state.withLock { s in
            for watcher in s.watchers.values { watcher.yield(event) }
        }
    }

    /// Ends every watcher's stream (after `done`); later ``watch()`` calls get nil.
    func endWatchers() {
        let watchers = state.withLock { s -> [AsyncStream<ChatEvent>.Continuation] in
            s.ended = true
            defer { s.watchers.removeAll() }
            return Array(s.watchers.values)
        }
        // Outside the lock: finishing runs each stream's termination handler, which takes it.
        for watcher in watchers { watcher.finish() }
    }
}
