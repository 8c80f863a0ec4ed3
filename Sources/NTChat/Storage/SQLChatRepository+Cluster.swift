import NTStorage
import NTSystem

/// What a web worker needs to reach an answer another process streams: find it, tell whether its streamer lives,
/// read its flushed text, and ask its runner to stop it (ADR 0021). On SQLite the other process can only be a web
/// worker on this host (a rolling restart), told alive by its pid; on PostgreSQL, any instance, told alive by its
/// runner's lock.
extension SQLChatRepository {
    /// SQL for "whoever streams this row is alive", and the column the Swift side decides it from on SQLite.
    private var aliveColumn: String {
        db.engine == .postgres ? "CASE WHEN \(ClusterLocks.runnerAlive("runner_id")) THEN 1 ELSE 0 END" : "worker_pid"
    }

    private func alive(_ row: Statement, _ column: Int32) -> Bool {
        db.engine == .postgres ? row.int(column) == 1 : (!row.isNull(column) && ProcessLiveness.isAlive(row.int(column)))
    }

    public func streamingAnswer(conversationID: String) throws -> StreamingAnswer? {
        defer { db.resetCachedStatements() }
        let runner = db.engine == .postgres ? "runner_id" : "NULL"
        let query = try db.cachedStatement("""
            SELECT id, parent_id, request_id, model, \(runner), \(aliveColumn) FROM messages
            WHERE conversation_id = ? AND status = 'streaming' ORDER BY seq DESC LIMIT 1
            """)
        query.bind(1, conversationID)
        guard try query.step() else { return nil }
        return StreamingAnswer(
            messageID: query.string(0) ?? "", conversationID: conversationID, parentID: query.string(1), requestID: query.string(2) ?? "",
            model: query.string(3), runnerID: query.isNull(4) ? nil : Int64(query.int(4)), alive: alive(query, 5)
        )
    }

    public func interruptIfOrphaned(messageID: String) async throws -> Bool {
        try await writing {
            defer { db.resetCachedStatements() }
            if db.engine == .postgres { return try ClusterSweep.interruptOrphans(db, where: "id = ?1", messageID) > 0 }
            let pid = try db.cachedStatement("SELECT worker_pid FROM messages WHERE id = ? AND status = 'streaming'")
            pid.bind(1, messageID)
            guard try pid.step(), !alive(pid, 0) else { return false }
            return try markInterrupted(messageID: messageID)
        }
    }

    /// Marks one streaming answer `interrupted`, keeping its text (its streamer was judged dead by its pid);
    /// false when it was no longer streaming.
    func markInterrupted(messageID: String) throws -> Bool {
        let update = try db.cachedStatement("""
            UPDATE messages SET status = 'interrupted', worker_pid = NULL, updated_at = ?2, error = COALESCE(error, ?3)
            WHERE id = ?1 AND status = 'streaming'
            """)
        update.bind(1, messageID)
        update.bind(2, Identifiers.now())
        update.bind(3, ClusterSweep.interruptedError)
        _ = try update.step()
        return db.changes > 0
    }

    public func answerProgress(messageID: String, contentFrom: Int, reasoningFrom: Int) throws -> AnswerProgress? {
        defer { db.resetCachedStatements() }
        let query = try db.cachedStatement("""
            SELECT status, finish_reason, length(content), substr(content, CAST(?2 + 1 AS INTEGER)), length(reasoning), substr(reasoning, CAST(?3 + 1 AS INTEGER)),
              prompt_tokens, completion_tokens, reasoning_tokens, cost_usd, cost_source, error, \(aliveColumn)
            FROM messages WHERE id = ?1
            """)
        query.bind(1, messageID)
        query.bind(2, max(0, contentFrom))
        query.bind(3, max(0, reasoningFrom))
        guard try query.step() else { return nil }
        func optInt(_ i: Int32) -> Int? { query.isNull(i) ? nil : query.int(i) }
        let status = MessageStatus(rawValue: query.string(0) ?? "") ?? .error
        var streamerAlive = true
        if status == .streaming { streamerAlive = alive(query, 12) }
        return AnswerProgress(
            status: status, finishReason: query.string(1), contentTail: query.string(3) ?? "", contentLength: query.int(2),
            reasoningTail: query.string(5) ?? "", reasoningLength: query.int(4), alive: streamerAlive,
            promptTokens: optInt(6), completionTokens: optInt(7), reasoningTokens: optInt(8),
            costUSD: query.isNull(9) ? nil : query.double(9), costSource: query.string(10).flatMap(CostSource.init(rawValue:)),
            error: query.string(11)
        )
    }

    public func requestStop(runnerID: Int64, messageID: String) throws {
        guard db.engine == .postgres else { return }
        defer { db.resetCachedStatements() }
        // Kept on the row (read at the runner's next flush tick, even if the notification is lost while its
        // session is down), and notified.
        let keep = try db.cachedStatement("UPDATE messages SET stop_requested_at = ? WHERE id = ? AND status = 'streaming'")
        keep.bind(1, Identifiers.now())
        keep.bind(2, messageID)
        _ = try keep.step()
        let notify = try db.cachedStatement("SELECT pg_notify(?, ?)")
        notify.bind(1, RunnerPresence.stopChannel)
        notify.bind(2, RunnerPresence.stopPayload(runnerID: runnerID, messageID: messageID))
        _ = try notify.step()
    }
}
