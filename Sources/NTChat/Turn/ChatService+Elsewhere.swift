/// Reaching an answer that streams in another process: another instance on the same PostgreSQL database, or
/// another web worker on this host during a rolling restart (ADR 0021). A stop is sent to its runner and confirmed
/// from the database; a page attaching follows the text its streamer flushes (every `flush_interval`); an answer
/// whose streamer died is marked `interrupted` on the way.
extension ChatService {
    /// Stops the conversation's streaming answer wherever it streams. Here: at once. On another instance: the stop
    /// is sent to its runner, and this waits up to `wait` for the answer to leave `streaming`. An answer whose
    /// streamer died is marked `interrupted`. True when an answer was streaming and no longer is.
    public func stopAnywhere(conversationID: String, wait: Duration = .seconds(5)) async throws -> Bool {
        if stop(conversationID: conversationID) { return true }
        guard let answer = try await repository.streamingAnswer(conversationID: conversationID) else { return false }
        if !answer.alive { return try await repository.interruptIfOrphaned(messageID: answer.messageID) }
        guard let runner = answer.runnerID, runner != runnerID else { return false }
        try await repository.requestStop(runnerID: runner, messageID: answer.messageID)
        let deadline = ContinuousClock.now + wait
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            guard let progress = try await repository.answerProgress(messageID: answer.messageID, contentFrom: Self.pastEnd, reasoningFrom: Self.pastEnd),
                  progress.status == .streaming else { return true }
            if !progress.alive { return try await repository.interruptIfOrphaned(messageID: answer.messageID) }
        }
        return false
    }

    /// An offset past any stored text (reads no text).
    static let pastEnd = 1 << 30

    /// A live view of the conversation's answer streaming in another process, read from the database: `meta`, the
    /// text so far (`snapshot`), the text flushed since as `delta`/`reasoning`, then `usage`, an `error` or why it
    /// stopped, and `done`. Nil when nothing streams there, or the streamer died (the answer is then marked
    /// `interrupted`). The events stop when the consumer stops iterating.
    public func follow(conversationID: String) async throws -> (meta: ChatEvent.Meta, events: AsyncStream<ChatEvent>)? {
        guard let answer = try await repository.streamingAnswer(conversationID: conversationID) else { return nil }
        if !answer.alive {
            _ = try await repository.interruptIfOrphaned(messageID: answer.messageID)
            return nil
        }
        var meta = ChatEvent.Meta(
            conversationID: conversationID, userMessageID: answer.parentID, assistantMessageID: answer.messageID,
            requestID: answer.requestID, model: answer.model ?? settings().defaultModel, trimmedMessages: 0, maxTokens: 0
        )
        meta.parentID = answer.parentID
        let (repository, interval) = (self.repository, settings().flushInterval)
        let (events, continuation) = AsyncStream.makeStream(of: ChatEvent.self)
        let task = Task {
            await AnswerFollower(repository: repository, messageID: answer.messageID, interval: interval).run { continuation.yield($0) }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return (meta, events)
    }
}

/// Reads an answer another process streams from the database until it ends, turning what changed into events.
struct AnswerFollower: Sendable {
    let repository: any ChatRepository
    let messageID: String
    let interval: Duration

    func run(_ emit: (ChatEvent) -> Void) async {
        var content = 0, reasoning = 0
        var first = true
        var lastSent = ContinuousClock.now
        var failingSince: ContinuousClock.Instant?
        while !Task.isCancelled {
            let progress: AnswerProgress?
            do {
                progress = try await repository.answerProgress(messageID: messageID, contentFrom: content, reasoningFrom: reasoning)
                failingSince = nil
            } catch {
                // The database is away for a moment: keep trying for a while, then end the view (the page reloads
                // the stored answer).
                let since = failingSince ?? .now
                failingSince = since
                if ContinuousClock.now - since > .seconds(30) { return }
                try? await Task.sleep(for: interval)
                continue
            }
            guard let progress else {
                emit(.notice(kind: "deleted", message: "the answer was deleted"))
                emit(.done(status: .stopped, finishReason: nil))
                return
            }
            if first {
                emit(.snapshot(content: progress.contentTail, reasoning: progress.reasoningTail))
                first = false
                lastSent = .now
            } else if !progress.contentTail.isEmpty || !progress.reasoningTail.isEmpty {
                if !progress.reasoningTail.isEmpty { emit(.reasoning(progress.reasoningTail)) }
                if !progress.contentTail.isEmpty { emit(.delta(progress.contentTail)) }
                lastSent = .now
            }
            content = progress.contentLength
            reasoning = progress.reasoningLength
            if progress.status != .streaming {
                end(progress, emit)
                return
            }
            if !progress.alive {
                // Its streamer died: mark it, and the next read shows it `interrupted`.
                _ = try? await repository.interruptIfOrphaned(messageID: messageID)
                continue
            }
            if ContinuousClock.now - lastSent >= TurnRegistry.keepAliveAfter {
                emit(.keepAlive)
                lastSent = .now
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// The events of the answer's end, as its own stream sent them.
    private func end(_ progress: AnswerProgress, _ emit: (ChatEvent) -> Void) {
        if let prompt = progress.promptTokens, let completion = progress.completionTokens {
            emit(.usage(.init(
                promptTokens: prompt, completionTokens: completion, reasoningTokens: progress.reasoningTokens ?? 0,
                costUSD: progress.costUSD, costSource: progress.costSource, budgetWarning: false
            )))
        }
        switch progress.status {
        case .error:
            emit(.error(code: "upstream_error", message: progress.error ?? "the upstream failed", retryable: true))
        case .stopped, .interrupted:
            if let reason = progress.error { emit(.notice(kind: "stopped", message: reason)) }
        case .complete, .streaming:
            break
        }
        emit(.done(status: progress.status, finishReason: progress.finishReason))
    }
}
