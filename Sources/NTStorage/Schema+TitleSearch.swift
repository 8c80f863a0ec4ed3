extension Schema {
    /// Search finds conversations by their titles, and words by their beginnings.
    ///
    /// `conversations_fts` indexes every conversation's title (external content on `conversations`, kept by
    /// triggers on insert, delete and a change of title; a turn that only touches `updated_at` leaves it alone),
    /// with the messages' tokenizer, so a query means the same in both. Both indexes keep prefix indexes for two
    /// and three characters (`prefix = '2 3'`): a bare word is searched as a prefix ("trap" finds "trapezoid"),
    /// and without them a short prefix merges the lists of every word it begins: 100–400 ms for a two-letter
    /// prefix over 200,000 messages, 16–22 ms with them. FTS5 cannot add a prefix index to a table, so
    /// `messages_fts` is made again with the same columns, content and triggers (the triggers name it, they do not
    /// hold it) and rebuilt from the messages, without the answers still streaming, as version 6 did: about 5 s
    /// per 200,000 messages, once, at the upgrade.
    static let titleSearch = """
        DROP TABLE messages_fts;
        CREATE VIRTUAL TABLE messages_fts USING fts5 (
            content, reasoning, content = 'messages', content_rowid = 'rowid', tokenize = 'unicode61', prefix = '2 3'
        );
        INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
        INSERT INTO messages_fts (messages_fts, rowid, content, reasoning)
            SELECT 'delete', rowid, content, reasoning FROM messages WHERE status = 'streaming';
        CREATE VIRTUAL TABLE conversations_fts USING fts5 (
            title, content = 'conversations', content_rowid = 'rowid', tokenize = 'unicode61', prefix = '2 3'
        );
        CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
            INSERT INTO conversations_fts (rowid, title) VALUES (new.rowid, new.title);
        END;
        CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN
            INSERT INTO conversations_fts (conversations_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
        END;
        CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations BEGIN
            INSERT INTO conversations_fts (conversations_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
            INSERT INTO conversations_fts (rowid, title) VALUES (new.rowid, new.title);
        END;
        INSERT INTO conversations_fts (conversations_fts) VALUES ('rebuild');
        """
}
