import NTStorage

extension SQLChatRepository {
    static let messageColumns = """
        id, conversation_id, role, content, reasoning, model, status, finish_reason, prompt_tokens, completion_tokens,
        reasoning_tokens, cached_tokens, cost_usd, ttft_ms, duration_ms, generation_id, request_id, error, created_at, updated_at,
        cost_source, parent_id
        """
    /// ``messageColumns`` of the table `messages`, for queries that join it.
    static let qualifiedMessageColumns = messageColumns.split(separator: ",")
        .map { "messages." + $0.filter { !$0.isWhitespace } }.joined(separator: ", ")

    static func message(from row: Statement) -> Message {
        func optInt(_ i: Int32) -> Int? { row.isNull(i) ? nil : row.int(i) }
        return Message(
            id: row.string(0) ?? "", conversationID: row.string(1) ?? "", parentID: row.string(21),
            role: MessageRole(rawValue: row.string(2) ?? "") ?? .user, content: row.string(3) ?? "",
            reasoning: row.string(4) ?? "", model: row.string(5),
            status: MessageStatus(rawValue: row.string(6) ?? "") ?? .error, finishReason: row.string(7),
            promptTokens: optInt(8), completionTokens: optInt(9), reasoningTokens: optInt(10), cachedTokens: optInt(11),
            costUSD: row.isNull(12) ? nil : row.double(12), costSource: row.string(20).flatMap(CostSource.init(rawValue:)),
            ttftMs: optInt(13), durationMs: optInt(14),
            generationID: row.string(15), requestID: row.string(16), error: row.string(17),
            createdAt: row.string(18) ?? "", updatedAt: row.string(19) ?? ""
        )
    }

    public func messages(conversationID: String) throws -> [Message] {
        defer { db.resetCachedStatements() }
        let query = try db.cachedStatement("SELECT \(Self.messageColumns) FROM messages WHERE conversation_id = ? ORDER BY seq")
        query.bind(1, conversationID)
        var result: [Message] = []
        while try query.step() { result.append(Self.message(from: query)) }
        return result
    }

    public func beginTurn(
        conversationID: String, parentID: String?, userContent: String?, model: String, requestID: String, workerPID: Int32,
        runnerID: Int64?, creating: NewConversation?
    ) async throws -> TurnRows {
        return try await grouped { [self] in
            defer { db.resetCachedStatements() }
            return try db.transaction {
                let now = Identifiers.now()
                if let creating { try insertConversation(creating.conversation(id: conversationID, now: now)) }
                let shared = runnerID != nil && db.engine == .postgres
                // An answer streaming there whose runner died is marked first, inside this transaction and under the
                // writers' lock, so two instances cannot both start a turn in the conversation.
                if shared { try ClusterSweep.interruptOrphans(db, where: "conversation_id = ?1", conversationID) }
                // Every check in one statement (one round trip on PostgreSQL): the conversation, the parent (which may
                // have been deleted since the turn was planned), the next seq, and an answer streaming there.
                let checks = try db.cachedStatement("""
                    SELECT (SELECT 1 FROM conversations WHERE id = ?1),
                           (SELECT 1 FROM messages WHERE id = ?2 AND conversation_id = ?1),
                           (SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE conversation_id = ?1),
                           (SELECT 1 FROM messages WHERE conversation_id = ?1 AND status = 'streaming' LIMIT 1)
                    """)
                checks.bind(1, conversationID)
                checks.bind(2, parentID)
                guard try checks.step(), !checks.isNull(0) else { throw ChatStoreError.conversationNotFound }
                if parentID != nil, checks.isNull(1) { throw ChatStoreError.messageNotFound }
                // With several instances, one answer at a time per conversation, whichever instance streams it.
                if shared, !checks.isNull(3) { throw ChatStoreError.turnRunning }
                var seq = checks.int(2)
                var user: Message?
                if let userContent {
                    user = try insert(conversationID: conversationID, parentID: parentID, seq: seq, role: .user, content: userContent,
                                      model: nil, status: .complete, requestID: requestID, workerPID: nil, now: now)
                    seq += 1
                }
                let assistant = try insert(conversationID: conversationID, parentID: user?.id ?? parentID, seq: seq, role: .assistant,
                                           content: "", model: model, status: .streaming, requestID: requestID, workerPID: workerPID, now: now,
                                           runnerID: runnerID)

                let touch = try db.cachedStatement("UPDATE conversations SET updated_at = ?, current_leaf_id = ? WHERE id = ?")
                touch.bind(1, now)
                touch.bind(2, assistant.id)
                touch.bind(3, conversationID)
                _ = try touch.step()
                return TurnRows(user: user, assistant: assistant)
            }
        }
    }

    private func insert(
        conversationID: String, parentID: String?, seq: Int, role: MessageRole, content: String, model: String?, status: MessageStatus,
        requestID: String, workerPID: Int32?, now: String, runnerID: Int64? = nil
    ) throws -> Message {
        let id = Identifiers.uuid()
        // On PostgreSQL the runner streaming the answer is stored with it (ADR 0021); SQLite has no runners.
        let runner = db.engine == .postgres ? (", runner_id", ", ?") : ("", "")
        let insert = try db.cachedStatement("""
            INSERT INTO messages (id, conversation_id, seq, role, content, model, status, request_id, worker_pid, created_at, updated_at,
              parent_id\(runner.0))
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?\(runner.1))
            """)
        insert.bind(1, id)
        insert.bind(2, conversationID)
        insert.bind(3, seq)
        insert.bind(4, role.rawValue)
        insert.bind(5, content)
        insert.bind(6, model)
        insert.bind(7, status.rawValue)
        insert.bind(8, requestID)
        insert.bind(9, workerPID.map(Int.init))
        insert.bind(10, now)
        insert.bind(11, now)
        insert.bind(12, parentID)
        if db.engine == .postgres { insert.bind(13, runnerID.map { Int($0) }) }
        _ = try insert.step()
        return Message(
            id: id, conversationID: conversationID, parentID: parentID, role: role, content: content, reasoning: "", model: model,
            status: status, requestID: requestID, createdAt: now, updatedAt: now
        )
    }

    public func saveProgress(messageID: String, content: String, reasoning: String) async throws {
        try await saveProgress([ProgressUpdate(messageID: messageID, content: content, reasoning: reasoning)])
    }

    public func saveProgress(_ updates: [ProgressUpdate]) async throws {
        try await grouped { [self] in
            guard !updates.isEmpty else { return }
            defer { db.resetCachedStatements() }
            let now = Identifiers.now()
            if db.engine == .postgres {
                // One statement for every answer (one round trip, atomic by itself, no writers' lock needed: it
                // checks nothing another writer could change but the status it filters on).
                let update = try db.cachedStatement("""
                    UPDATE messages AS m SET content = v.content, reasoning = v.reasoning, updated_at = ?4
                    FROM unnest(CAST(?1 AS text[]), CAST(?2 AS text[]), CAST(?3 AS text[])) AS v(id, content, reasoning)
                    WHERE m.id = v.id AND m.status = 'streaming'
                    """)
                update.bind(1, PostgresArrayLiteral.text(updates.map(\.messageID)))
                update.bind(2, PostgresArrayLiteral.text(updates.map(\.content)))
                update.bind(3, PostgresArrayLiteral.text(updates.map(\.reasoning)))
                update.bind(4, now)
                _ = try update.step()
                return
            }
            try db.transaction {
                let update = try db.cachedStatement(
                    "UPDATE messages SET content = ?, reasoning = ?, updated_at = ? WHERE id = ? AND status = 'streaming'"
                )
                for progress in updates {
                    update.bind(1, progress.content)
                    update.bind(2, progress.reasoning)
                    update.bind(3, now)
                    update.bind(4, progress.messageID)
                    _ = try update.step()
                    update.reset()
                }
            }
        }
    }

    public func finish(messageID: String, outcome o: MessageOutcome) async throws {
        try await grouped { [self] in
            defer { db.resetCachedStatements() }
            let update = try db.cachedStatement("""
                UPDATE messages SET status = ?, content = ?, reasoning = ?, finish_reason = ?, prompt_tokens = ?,
                  completion_tokens = ?, reasoning_tokens = ?, cached_tokens = ?, cost_usd = ?, ttft_ms = ?, duration_ms = ?,
                  generation_id = ?, error = ?, worker_pid = NULL, updated_at = ?, cost_source = ?\(db.engine == .postgres ? ", runner_id = NULL" : "")
                WHERE id = ?
                """)
            update.bind(1, o.status.rawValue)
            update.bind(2, o.content)
            update.bind(3, o.reasoning)
            update.bind(4, o.finishReason)
            update.bind(5, o.promptTokens)
            update.bind(6, o.completionTokens)
            update.bind(7, o.reasoningTokens)
            update.bind(8, o.cachedTokens)
            update.bind(9, o.costUSD)
            update.bind(10, o.ttftMs)
            update.bind(11, o.durationMs)
            update.bind(12, o.generationID)
            update.bind(13, o.error)
            update.bind(14, Identifiers.now())
            update.bind(15, o.costUSD == nil ? nil : (o.costSource ?? .reported).rawValue)
            update.bind(16, messageID)
            _ = try update.step()
        }
    }

    public func markInterrupted(isAlive: @Sendable (Int32) -> Bool) async throws -> Int {
        return try await writing {
            defer { db.resetCachedStatements() }
            // On PostgreSQL an answer with a runner is judged by its runner's lock, on any host (ClusterSweep);
            // one without (written by a process that registered none) by its pid, as on SQLite.
            let swept = db.engine == .postgres ? try ClusterSweep.run(db, runnerless: false).interrupted : 0
            let runnerless = db.engine == .postgres ? " AND runner_id IS NULL" : ""
            let query = try db.cachedStatement("SELECT id, worker_pid FROM messages WHERE status = 'streaming'\(runnerless)")
            var orphans: [String] = []
            while try query.step() {
                // A pid that is missing, not positive or beyond Int32 names no process (kill() must never see one).
                let pid = query.isNull(1) ? nil : Int32(exactly: query.int(1)).flatMap { $0 > 0 ? $0 : nil }
                if pid.map({ !isAlive($0) }) ?? true { orphans.append(query.string(0) ?? "") }
            }
            for id in orphans { _ = try markInterrupted(messageID: id) }
            return swept + orphans.count
        }
    }
}
