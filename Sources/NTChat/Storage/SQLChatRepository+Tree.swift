import NTStorage

/// The message tree on SQLite (ADR 0017, migration 10): paths are read upwards along `parent_id` (only towards
/// smaller `seq`, so even a damaged chain ends), the shape of a conversation from its `(id, parent_id)` pairs.
extension SQLChatRepository {
    public func path(conversationID: String) throws -> [Message] {
        defer { db.resetCachedStatements() }
        return try readTransaction {
            let tree = try shape(conversationID)
            guard try conversationExists(conversationID), let leaf = try currentLeaf(conversationID, in: tree) else { return [] }
            return try rows(upTo: leaf, conversationID).map { withSiblings($0, tree) }
        }
    }

    public func tree(conversationID: String) throws -> [Message] {
        defer { db.resetCachedStatements() }
        let tree = try shape(conversationID)
        return try messages(conversationID: conversationID).map { withSiblings($0, tree) }
    }

    public func turnAnchor(conversationID: String, placement: TurnPlacement) throws -> TurnAnchor {
        defer { db.resetCachedStatements() }
        return try readTransaction {
            // The stored leaf's read also tells that the conversation exists (one round trip fewer on PostgreSQL).
            let stored = try storedLeaf(conversationID)
            let tree = try shape(conversationID)
            let leaf = stored.flatMap { tree.contains($0) ? $0 : nil } ?? tree.deepestNewest(from: nil)
            let parentID: String?
            switch placement {
            case .followLeaf:
                parentID = leaf
            case .editOf(let id):
                guard tree.contains(id), let role = try role(of: id) else { throw ChatStoreError.messageNotFound }
                guard role == .user else { throw ChatStoreError.notAUserMessage }
                parentID = tree.parent(of: id)
            case .regenerate(let id?):
                guard tree.contains(id), let role = try role(of: id) else { throw ChatStoreError.messageNotFound }
                guard role == .assistant else { throw ChatStoreError.notAnAnswer }
                parentID = tree.parent(of: id)
            case .regenerate(nil):
                guard let leaf, try role(of: leaf) == .assistant else {
                    throw ChatStoreError.nothingToRegenerate
                }
                parentID = tree.parent(of: leaf)
            }
            return TurnAnchor(parentID: parentID, history: try parentID.map { try rows(upTo: $0, conversationID) } ?? [])
        }
    }

    public func setLeaf(conversationID: String, through messageID: String) async throws {
        try await writing {
            defer { db.resetCachedStatements() }
            try db.transaction {
                try requireQuiet(conversationID)
                let tree = try shape(conversationID)
                guard tree.contains(messageID) else { throw ChatStoreError.messageNotFound }
                try storeLeaf(tree.deepestNewest(from: messageID), conversationID, touch: false)
            }
        }
    }

    public func deleteSubtree(conversationID: String, messageID: String) async throws -> Int {
        return try await writing {
            defer { db.resetCachedStatements() }
            return try db.transaction {
                try requireQuiet(conversationID)
                let before = try shape(conversationID)
                guard before.contains(messageID) else { throw ChatStoreError.messageNotFound }
                // One statement, so the parent key is checked once the whole subtree is gone.
                let delete = try db.cachedStatement("""
                    WITH RECURSIVE below(id, seq) AS (
                        SELECT id, seq FROM messages WHERE id = ?1 AND conversation_id = ?2
                        UNION ALL
                        SELECT m.id, m.seq FROM messages m JOIN below ON m.parent_id = below.id AND m.seq > below.seq
                    )
                    DELETE FROM messages WHERE id IN (SELECT id FROM below)
                    """)
                delete.bind(1, messageID)
                delete.bind(2, conversationID)
                _ = try delete.step()
                let removed = db.changes
                let after = try shape(conversationID)
                let leaf = try storedLeaf(conversationID)
                if leaf.map(after.contains) != true {
                    try storeLeaf(after.fallbackLeaf(afterRemovingChildOf: before.parent(of: messageID)), conversationID, touch: true)
                } else {
                    try storeLeaf(leaf, conversationID, touch: true)
                }
                return removed
            }
        }
    }

    // MARK: - Reading the tree

    /// The conversation's `(id, parent_id)` pairs in creation order.
    func shape(_ conversationID: String) throws -> MessageTree {
        let query = try db.cachedStatement("SELECT id, parent_id FROM messages WHERE conversation_id = ? ORDER BY seq")
        query.bind(1, conversationID)
        var links: [(id: String, parentID: String?)] = []
        while try query.step() { links.append((query.string(0) ?? "", query.string(1))) }
        return MessageTree(links)
    }

    /// The stored leaf when it is a message of the conversation, else (never written, or damaged) the end of its
    /// newest branch; nil when it has no messages.
    func currentLeaf(_ conversationID: String, in tree: MessageTree) throws -> String? {
        if let stored = try storedLeaf(conversationID), tree.contains(stored) { return stored }
        return tree.deepestNewest(from: nil)
    }

    private func storedLeaf(_ conversationID: String) throws -> String? {
        let query = try db.cachedStatement("SELECT current_leaf_id FROM conversations WHERE id = ?")
        query.bind(1, conversationID)
        guard try query.step() else { throw ChatStoreError.conversationNotFound }
        return query.string(0)
    }

    /// The messages from the first one down to `leaf`, root first.
    func rows(upTo leaf: String, _ conversationID: String) throws -> [Message] {
        let query = try db.cachedStatement("""
            WITH RECURSIVE up(id, seq, parent_id, depth) AS (
                SELECT id, seq, parent_id, 0 FROM messages WHERE id = ?1 AND conversation_id = ?2
                UNION ALL
                SELECT m.id, m.seq, m.parent_id, up.depth + 1 FROM messages m JOIN up ON m.id = up.parent_id WHERE m.seq < up.seq
            )
            SELECT \(Self.qualifiedMessageColumns) FROM up JOIN messages ON messages.id = up.id ORDER BY up.depth DESC
            """)
        query.bind(1, leaf)
        query.bind(2, conversationID)
        var result: [Message] = []
        while try query.step() { result.append(Self.message(from: query)) }
        return result
    }

    private func withSiblings(_ message: Message, _ tree: MessageTree) -> Message {
        var m = message
        m.siblingIDs = tree.siblings(of: m.id)
        return m
    }

    private func role(of id: String) throws -> MessageRole? {
        let query = try db.cachedStatement("SELECT role FROM messages WHERE id = ?")
        query.bind(1, id)
        return try query.step() ? query.string(0).flatMap(MessageRole.init(rawValue:)) : nil
    }

    private func conversationExists(_ id: String) throws -> Bool {
        let query = try db.cachedStatement("SELECT 1 FROM conversations WHERE id = ?")
        query.bind(1, id)
        return try query.step()
    }

    // MARK: - Writing the leaf

    /// Refuses a change of branches while an answer streams in the conversation (in any process).
    private func requireQuiet(_ conversationID: String) throws {
        guard try conversationExists(conversationID) else { throw ChatStoreError.conversationNotFound }
        let streaming = try db.cachedStatement("SELECT 1 FROM messages WHERE status = 'streaming' AND conversation_id = ?")
        streaming.bind(1, conversationID)
        if try streaming.step() { throw ChatStoreError.turnRunning }
    }

    /// Stores the current leaf; `touch` also marks the conversation as changed (a deletion; a switch of branch is
    /// only a view and leaves the conversation's place in the list).
    private func storeLeaf(_ leaf: String?, _ conversationID: String, touch: Bool) throws {
        let update = try db.cachedStatement(touch
            ? "UPDATE conversations SET current_leaf_id = ?1, updated_at = ?3 WHERE id = ?2"
            : "UPDATE conversations SET current_leaf_id = ?1 WHERE id = ?2")
        update.bind(1, leaf)
        update.bind(2, conversationID)
        if touch { update.bind(3, Identifiers.now()) }
        _ = try update.step()
    }
}
