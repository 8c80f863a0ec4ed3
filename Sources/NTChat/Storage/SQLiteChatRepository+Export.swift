import NTStorage

/// Export and import on SQLite (ADR 0006).
extension SQLiteChatRepository: ArchiveRepository {
    public func conversationCount() throws -> Int {
        try db.scalarInt("SELECT COUNT(*) FROM conversations") ?? 0
    }

    public func exportPage(afterID: String?, limit: Int) throws -> [ArchivedConversation] {
        try readTransaction {
            let query = try db.prepare(
                "SELECT \(Self.conversationColumns) FROM conversations c WHERE c.id > ? ORDER BY c.id LIMIT ?"
            )
            query.bind(1, afterID ?? "")
            query.bind(2, limit)
            var conversations: [Conversation] = []
            while try query.step() { conversations.append(Self.conversation(from: query)) }
            let messages = try db.prepare("SELECT \(Self.messageColumns) FROM messages WHERE conversation_id = ? ORDER BY seq")
            return try conversations.map { conversation in
                messages.reset()
                messages.bind(1, conversation.id)
                var list: [Message] = []
                list.reserveCapacity(conversation.messageCount)
                while try messages.step() { list.append(Self.message(from: messages)) }
                return ArchivedConversation(conversation: conversation, messages: list)
            }
        }
    }

    public func exportConversation(id: String) throws -> ArchivedConversation? {
        try readTransaction {
            guard let conversation = try conversation(id: id) else { return nil }
            return ArchivedConversation(conversation: conversation, messages: try messages(conversationID: id))
        }
    }

    public func importConversation(_ archived: ArchivedConversation) throws -> ImportResult {
        let incoming = archived.conversation
        return try db.transaction {
            if let existing = try conversation(id: incoming.id) {
                let stored = try messages(conversationID: incoming.id)
                if Self.sameRow(existing, incoming) && stored == archived.messages { return .unchanged }
                if stored.contains(where: { $0.status == .streaming }) { return .keptNewer }
                if Self.latestUpdate(existing, stored) > Self.latestUpdate(incoming, archived.messages) { return .keptNewer }
                let update = try db.prepare(
                    "UPDATE conversations SET title = ?, model = ?, system_prompt = ?, created_at = ?, updated_at = ? WHERE id = ?"
                )
                update.bind(1, incoming.title)
                update.bind(2, incoming.model)
                update.bind(3, incoming.systemPrompt)
                update.bind(4, incoming.createdAt)
                update.bind(5, incoming.updatedAt)
                update.bind(6, incoming.id)
                _ = try update.step()
                let delete = try db.prepare("DELETE FROM messages WHERE conversation_id = ?")
                delete.bind(1, incoming.id)
                _ = try delete.step()
                try insertMessages(archived.messages)
                return .replaced(messages: archived.messages.count)
            }
            let insert = try db.prepare(
                "INSERT INTO conversations (id, title, model, system_prompt, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
            )
            insert.bind(1, incoming.id)
            insert.bind(2, incoming.title)
            insert.bind(3, incoming.model)
            insert.bind(4, incoming.systemPrompt)
            insert.bind(5, incoming.createdAt)
            insert.bind(6, incoming.updatedAt)
            _ = try insert.step()
            try insertMessages(archived.messages)
            return .inserted(messages: archived.messages.count)
        }
    }

    /// Inserts messages in the order given (their `seq`); a message id taken by another conversation is refused.
    private func insertMessages(_ messages: [Message]) throws {
        let insert = try db.prepare("""
            INSERT INTO messages (id, conversation_id, seq, role, content, reasoning, model, status, finish_reason,
              prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens, cost_usd, ttft_ms, duration_ms,
              generation_id, request_id, error, worker_pid, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)
            """)
        for (index, m) in messages.enumerated() {
            insert.reset()
            insert.bind(1, m.id)
            insert.bind(2, m.conversationID)
            insert.bind(3, index + 1)
            insert.bind(4, m.role.rawValue)
            insert.bind(5, m.content)
            insert.bind(6, m.reasoning)
            insert.bind(7, m.model)
            insert.bind(8, m.status.rawValue)
            insert.bind(9, m.finishReason)
            insert.bind(10, m.promptTokens)
            insert.bind(11, m.completionTokens)
            insert.bind(12, m.reasoningTokens)
            insert.bind(13, m.cachedTokens)
            insert.bind(14, m.costUSD)
            insert.bind(15, m.ttftMs)
            insert.bind(16, m.durationMs)
            insert.bind(17, m.generationID)
            insert.bind(18, m.requestID)
            insert.bind(19, m.error)
            insert.bind(20, m.createdAt)
            insert.bind(21, m.updatedAt)
            do {
                _ = try insert.step()
            } catch {
                let owner = try db.prepare("SELECT conversation_id FROM messages WHERE id = ?")
                owner.bind(1, m.id)
                if try owner.step(), let other = owner.string(0), other != m.conversationID {
                    throw ArchiveStoreError.messageIDTaken(messageID: m.id, conversationID: other)
                }
                throw error
            }
        }
    }

    /// The fields an import writes (the totals follow from the messages).
    static func sameRow(_ a: Conversation, _ b: Conversation) -> Bool {
        a.id == b.id && a.title == b.title && a.model == b.model && a.systemPrompt == b.systemPrompt
            && a.createdAt == b.createdAt && a.updatedAt == b.updatedAt
    }

    /// The latest `updated_at` of a conversation and its messages.
    static func latestUpdate(_ conversation: Conversation, _ messages: [Message]) -> String {
        messages.reduce(conversation.updatedAt) { max($0, $1.updatedAt) }
    }

    /// Runs `body` in a read transaction, so a page is one consistent snapshot even while others write.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try db.execute("BEGIN")
        do {
            let result = try body()
            try db.execute("COMMIT")
            return result
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }
}
