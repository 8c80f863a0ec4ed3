extension Schema {
    /// Conversations become trees (edit and regenerate keep the alternatives; ADR 0017).
    ///
    /// `messages.parent_id` names the message a message follows (NULL for a first message); siblings share a
    /// parent and are ordered by `seq`, which stays the creation order. `conversations.current_leaf_id` is the end
    /// of the visible path, the chain from a first message down to it. Two triggers keep every parent an earlier
    /// message (smaller `seq`) of the same conversation, so a chain of parents always ends and never leaves its
    /// conversation; the foreign key refuses deleting a message whose children stay behind (a subtree is deleted in
    /// one statement). `messages_children` serves both the children lookups and that key's check.
    ///
    /// Existing conversations were linear: each message's parent is the message before it (by `seq`), and the
    /// current leaf is the last one.
    static let branches = """
        ALTER TABLE messages ADD COLUMN parent_id TEXT REFERENCES messages (id);
        ALTER TABLE conversations ADD COLUMN current_leaf_id TEXT;
        UPDATE messages SET parent_id = (
            SELECT p.id FROM messages p WHERE p.conversation_id = messages.conversation_id AND p.seq < messages.seq
            ORDER BY p.seq DESC LIMIT 1
        );
        UPDATE conversations SET current_leaf_id = (
            SELECT m.id FROM messages m WHERE m.conversation_id = conversations.id ORDER BY m.seq DESC LIMIT 1
        );
        CREATE INDEX messages_children ON messages (parent_id, seq);
        CREATE TRIGGER messages_parent_insert BEFORE INSERT ON messages WHEN new.parent_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM messages p WHERE p.id = new.parent_id AND p.conversation_id = new.conversation_id AND p.seq < new.seq
        ) BEGIN
            SELECT RAISE(ABORT, 'a message''s parent must be an earlier message of the same conversation');
        END;
        CREATE TRIGGER messages_parent_update BEFORE UPDATE OF parent_id, conversation_id, seq ON messages
            WHEN new.parent_id IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM messages p WHERE p.id = new.parent_id AND p.conversation_id = new.conversation_id AND p.seq < new.seq
            ) BEGIN
            SELECT RAISE(ABORT, 'a message''s parent must be an earlier message of the same conversation');
        END;
        """
}
