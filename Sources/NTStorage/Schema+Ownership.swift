extension Schema {
    /// Conversations belong to accounts (ADR 0018), and spend is totalled per account as well as per day and model.
    ///
    /// `conversations.owner_id` names the account (`users.id`); every conversation that exists at the upgrade
    /// belongs to the owner account. Whatever belongs to a conversation (messages, their search entries, exports)
    /// follows it. `spend_by_user_day` keeps each account's spend per UTC day (what per-person budgets and the usage
    /// report read), by triggers like `spend_by_day`'s: a message's cost counts for its conversation's owner, and a
    /// deleted answer's cost stays spent, for the same person, through `removed_spend.owner_id`. So that a deleted
    /// conversation's answers still know their owner when their cost moves to `removed_spend`, a conversation's
    /// messages are deleted just before the conversation itself (the cascade ran after the row was gone).
    static let ownership = """
        ALTER TABLE conversations ADD COLUMN owner_id TEXT NOT NULL DEFAULT 'owner';
        CREATE INDEX conversations_owner ON conversations (owner_id, updated_at);
        CREATE TRIGGER conversations_delete_messages_first BEFORE DELETE ON conversations BEGIN
            DELETE FROM messages WHERE conversation_id = old.id;
        END;
        ALTER TABLE removed_spend ADD COLUMN owner_id TEXT NOT NULL DEFAULT 'owner';
        DROP TRIGGER messages_keep_spend;
        CREATE TRIGGER messages_keep_spend AFTER DELETE ON messages WHEN old.cost_usd IS NOT NULL BEGIN
            INSERT INTO removed_spend (message_id, conversation_id, model, cost_usd, cost_source, created_at, removed_at, owner_id)
            VALUES (old.id, old.conversation_id, old.model, old.cost_usd, old.cost_source, old.created_at,
                    strftime('%Y-%m-%dT%H:%M:%fZ','now'),
                    coalesce((SELECT owner_id FROM conversations WHERE id = old.conversation_id), 'owner'));
        END;
        CREATE TABLE spend_by_user_day (
            user_id       TEXT NOT NULL,
            day           TEXT NOT NULL,
            cost_usd      REAL NOT NULL,
            estimated_usd REAL NOT NULL,
            answers       INTEGER NOT NULL,
            PRIMARY KEY (user_id, day)
        ) WITHOUT ROWID;
        \(userSpendTriggers(table: "messages", owner: { "(SELECT owner_id FROM conversations WHERE id = \($0).conversation_id)" }))
        \(userSpendTriggers(table: "removed_spend", owner: { "\($0).owner_id" }))
        INSERT INTO spend_by_user_day (user_id, day, cost_usd, estimated_usd, answers)
            SELECT owner, substr(created_at, 1, 10), SUM(cost_usd),
                   SUM(CASE WHEN cost_source = 'estimated' THEN cost_usd ELSE 0 END), COUNT(*) FROM (
                SELECT c.owner_id AS owner, m.created_at, m.cost_usd, m.cost_source
                    FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.cost_usd IS NOT NULL
                UNION ALL
                SELECT owner_id, created_at, cost_usd, cost_source FROM removed_spend
            ) GROUP BY 1, 2;
        """

    /// The running-total triggers of `spend_by_user_day`: a cost is added to its owner's day when it appears and
    /// taken away when it goes or changes. `owner` gives the SQL naming the row's owner (`new` or `old`).
    static func userSpendTriggers(table: String, owner: (String) -> String) -> String {
        func estimated(_ row: String) -> String { "CASE WHEN \(row).cost_source = 'estimated' THEN \(row).cost_usd ELSE 0 END" }
        func add(_ row: String) -> String {
            """
            INSERT INTO spend_by_user_day (user_id, day, cost_usd, estimated_usd, answers)
                    SELECT coalesce(\(owner(row)), 'owner'), substr(\(row).created_at, 1, 10), \(row).cost_usd, \(estimated(row)), 1
                    WHERE \(row).cost_usd IS NOT NULL
                    ON CONFLICT (user_id, day) DO UPDATE SET cost_usd = cost_usd + excluded.cost_usd,
                    estimated_usd = estimated_usd + excluded.estimated_usd, answers = answers + 1;
            """
        }
        func remove(_ row: String) -> String {
            """
            UPDATE spend_by_user_day SET cost_usd = cost_usd - \(row).cost_usd, answers = answers - 1,
                    estimated_usd = estimated_usd - \(estimated(row))
                    WHERE \(row).cost_usd IS NOT NULL AND user_id = coalesce(\(owner(row)), 'owner') AND day = substr(\(row).created_at, 1, 10);
            """
        }
        return """
            CREATE TRIGGER \(table)_user_spend_insert AFTER INSERT ON \(table) WHEN new.cost_usd IS NOT NULL BEGIN
                \(add("new"))
            END;
            CREATE TRIGGER \(table)_user_spend_delete AFTER DELETE ON \(table) WHEN old.cost_usd IS NOT NULL BEGIN
                \(remove("old"))
            END;
            CREATE TRIGGER \(table)_user_spend_update AFTER UPDATE OF cost_usd, cost_source, created_at ON \(table)
                WHEN old.cost_usd IS NOT new.cost_usd OR old.cost_source IS NOT new.cost_source OR old.created_at IS NOT new.created_at BEGIN
                \(remove("old"))
                \(add("new"))
            END;
            """
    }
}
