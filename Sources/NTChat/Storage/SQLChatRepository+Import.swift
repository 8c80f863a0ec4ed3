import NTStorage

/// Import on SQLite (ADR 0006): one transaction per conversation, following ``ImportMerge``.
extension SQLChatRepository {
    public func importConversation(_ archived: ExportedConversation, ownerID: String) async throws -> ImportResult {
        return try await writing {
            let incoming = archived.conversation
            return try db.transaction {
                guard let existing = try conversation(id: incoming.id) else {
                    try writeRow(incoming, """
                        INSERT INTO conversations (title, model, system_prompt, created_at, updated_at, current_leaf_id, id, owner_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """, ownerID: ownerID)
                    try insertMessages(archived.messages, firstSeq: 1)
                    return .added(messages: archived.messages.count)
                }
                // Another person's conversation is never merged into, nor revealed: the file's copy goes beside it.
                guard existing.ownerID == ownerID else { return .conflict }
                switch ImportMerge.plan(stored: existing, storedMessages: try messages(conversationID: incoming.id), incoming: archived) {
                case .unchanged(let kept): return .unchanged(kept: kept)
                case .conflict: return .conflict
                case .busy: return .busy
                case .merge(let changes):
                    if let row = changes.row {
                        try writeRow(row, """
                            UPDATE conversations SET title = ?, model = ?, system_prompt = ?, created_at = ?, updated_at = ?,
                              current_leaf_id = COALESCE(?, current_leaf_id) WHERE id = ?
                            """)
                    }
                    for message in changes.updated { try updateMessage(message) }
                    let next = try db.prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE conversation_id = ?")
                    next.bind(1, incoming.id)
                    try insertMessages(changes.added, firstSeq: try next.step() ? next.int(0) : 1)
                    if existing.currentLeafID == nil, changes.row == nil, let leaf = incoming.currentLeafID {
                        // A conversation that had no messages shows the file's path.
                        let update = try db.prepare("UPDATE conversations SET current_leaf_id = ? WHERE id = ?")
                        update.bind(1, leaf)
                        update.bind(2, incoming.id)
                        _ = try update.step()
                    }
                    return .updated(added: changes.added.count, updated: changes.updated.count, kept: changes.kept)
                }
            }
        }
    }

    /// Runs `sql` with the row's title, model, system prompt, created_at, updated_at, current leaf and id bound in
    /// that order.
    private func writeRow(_ row: Conversation, _ sql: String, ownerID: String? = nil) throws {
        let statement = try db.prepare(sql)
        if let ownerID { statement.bind(8, ownerID) }
        statement.bind(1, row.title)
        statement.bind(2, row.model)
        statement.bind(3, row.systemPrompt)
        statement.bind(4, row.createdAt)
        statement.bind(5, row.updatedAt)
        statement.bind(6, row.currentLeafID)
        statement.bind(7, row.id)
        _ = try statement.step()
    }

    /// Takes the file's newer copy of a stored message (same id, same conversation, same place), without letting it
    /// take anything away: the text and reasoning only grow (a partial answer exported mid-stream, then complete),
    /// and what is accounted — model, tokens, cost, creation time — is filled in where the database has nothing but
    /// never changed, so an import cannot lower, move or erase recorded spend.
    private func updateMessage(_ m: Message) throws {
        let update = try db.prepare("""
            UPDATE messages SET
              content = CASE WHEN length(?1) >= length(content) THEN ?1 ELSE content END,
              reasoning = CASE WHEN length(?2) >= length(reasoning) THEN ?2 ELSE reasoning END,
              model = COALESCE(model, ?3), status = ?4, finish_reason = ?5, prompt_tokens = COALESCE(prompt_tokens, ?6),
              completion_tokens = COALESCE(completion_tokens, ?7), reasoning_tokens = COALESCE(reasoning_tokens, ?8),
              cached_tokens = COALESCE(cached_tokens, ?9), cost_usd = COALESCE(cost_usd, ?10), ttft_ms = ?11,
              duration_ms = ?12, generation_id = ?13, request_id = ?14, error = ?15, created_at = COALESCE(created_at, ?16),
              updated_at = ?17, cost_source = CASE WHEN cost_usd IS NULL THEN ?20 ELSE cost_source END
            WHERE id = ?18 AND conversation_id = ?19
            """)
        bindFields(of: m, to: update, from: 1)
        update.bind(18, m.id)
        update.bind(19, m.conversationID)
        update.bind(20, m.costUSD == nil ? nil : (m.costSource ?? .reported).rawValue)
        _ = try update.step()
    }

    /// Inserts messages in the order given (each after its parent), numbered from `firstSeq`; a message id taken by
    /// another conversation is refused.
    private func insertMessages(_ messages: [Message], firstSeq: Int) throws {
        let insert = try db.prepare("""
            INSERT INTO messages (id, conversation_id, seq, role, content, reasoning, model, status, finish_reason,
              prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens, cost_usd, ttft_ms, duration_ms,
              generation_id, request_id, error, created_at, updated_at, worker_pid, cost_source, parent_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)
            """)
        for (index, m) in messages.enumerated() {
            insert.reset()
            insert.bind(1, m.id)
            insert.bind(2, m.conversationID)
            insert.bind(3, firstSeq + index)
            insert.bind(4, m.role.rawValue)
            bindFields(of: m, to: insert, from: 5)
            insert.bind(22, m.costUSD == nil ? nil : (m.costSource ?? .reported).rawValue)
            insert.bind(23, m.parentID)
            // PostgreSQL aborts the whole transaction at a failed statement: a savepoint keeps it usable for the
            // question below (SQLite needs none).
            let savepoint = db.engine == .postgres
            if savepoint { try db.execute("SAVEPOINT import_message") }
            do {
                _ = try insert.step()
                if savepoint { try db.execute("RELEASE SAVEPOINT import_message") }
            } catch {
                if savepoint { try db.execute("ROLLBACK TO SAVEPOINT import_message") }
                let owner = try db.prepare("SELECT conversation_id FROM messages WHERE id = ?")
                owner.bind(1, m.id)
                if try owner.step(), let other = owner.string(0), other != m.conversationID {
                    throw ImportStoreError.messageIDTaken(messageID: m.id, conversationID: other)
                }
                throw error
            }
        }
    }

    /// Binds content … updated_at (17 values, in the column order of the statements above) from `first`.
    private func bindFields(of m: Message, to statement: Statement, from first: Int32) {
        statement.bind(first, m.content)
        statement.bind(first + 1, m.reasoning)
        statement.bind(first + 2, m.model)
        statement.bind(first + 3, m.status.rawValue)
        statement.bind(first + 4, m.finishReason)
        statement.bind(first + 5, m.promptTokens)
        statement.bind(first + 6, m.completionTokens)
        statement.bind(first + 7, m.reasoningTokens)
        statement.bind(first + 8, m.cachedTokens)
        statement.bind(first + 9, m.costUSD)
        statement.bind(first + 10, m.ttftMs)
        statement.bind(first + 11, m.durationMs)
        statement.bind(first + 12, m.generationID)
        statement.bind(first + 13, m.requestID)
        statement.bind(first + 14, m.error)
        statement.bind(first + 15, m.createdAt)
        statement.bind(first + 16, m.updatedAt)
    }
}
