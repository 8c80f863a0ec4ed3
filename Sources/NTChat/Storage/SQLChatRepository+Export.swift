import NTStorage

/// Export (ADR 0006); import is in SQLChatRepository+Import.swift.
extension SQLChatRepository: ExportImportRepository {
    public func conversationCount(ownerID: String?) throws -> Int {
        let count = try db.prepare("SELECT COUNT(*) FROM conversations WHERE ?1 IS NULL OR owner_id = ?1")
        count.bind(1, ownerID)
        return try count.step() ? count.int(0) : 0
    }

    public func exportPage(ownerID: String?, afterID: String?, limit: Int) throws -> [ExportedConversation] {
        try readTransaction {
            let query = try db.prepare(
                "SELECT \(Self.conversationColumns) FROM conversations c WHERE c.id > ?1 AND (?3 IS NULL OR c.owner_id = ?3) ORDER BY c.id LIMIT ?2"
            )
            query.bind(1, afterID ?? "")
            query.bind(2, limit)
            query.bind(3, ownerID)
            var conversations: [Conversation] = []
            while try query.step() { conversations.append(Self.conversation(from: query)) }
            let messages = try db.prepare("SELECT \(Self.messageColumns) FROM messages WHERE conversation_id = ? ORDER BY seq")
            return try conversations.map { conversation in
                messages.reset()
                messages.bind(1, conversation.id)
                var list: [Message] = []
                list.reserveCapacity(conversation.messageCount)
                while try messages.step() { list.append(Self.message(from: messages)) }
                return ExportedConversation(conversation: conversation, messages: list)
            }
        }
    }

    public func exportConversation(id: String) throws -> ExportedConversation? {
        try readTransaction {
            guard let conversation = try conversation(id: id) else { return nil }
            return ExportedConversation(conversation: conversation, messages: try messages(conversationID: id))
        }
    }

    /// Runs `body` in a read transaction, so a page is one consistent snapshot even while others write.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try db.readTransaction(body)
    }
}
