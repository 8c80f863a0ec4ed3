extension Schema {
    /// Where each answer's cost comes from (`cost_source`): `reported` (the upstream's usage chunk), `reconciled`
    /// (OpenRouter's generation record, fetched after the answer) or `estimated` (tokens estimated from the text,
    /// priced from the models catalog; replaced once reconciled). Answers priced before this version were all
    /// reported. `spend_by_day.estimated_usd` keeps the estimated part of each day's spend, so the usage report
    /// says how much of it is not yet confirmed; deleted answers keep their source in `removed_spend`.
    ///
    /// The search index's trigger now runs only when a message's text or status changes: a cost recorded after
    /// the answer ended (a reconciliation) does not re-index its text.
    static let costSources = """
        ALTER TABLE messages ADD COLUMN cost_source TEXT CHECK (cost_source IN ('reported', 'reconciled', 'estimated'));
        ALTER TABLE removed_spend ADD COLUMN cost_source TEXT;
        ALTER TABLE spend_by_day ADD COLUMN estimated_usd REAL NOT NULL DEFAULT 0;
        DROP TRIGGER messages_fts_update;
        CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, reasoning, status ON messages BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content, reasoning)
                SELECT 'delete', old.rowid, old.content, old.reasoning WHERE old.status <> 'streaming';
            INSERT INTO messages_fts (rowid, content, reasoning)
                SELECT new.rowid, new.content, new.reasoning WHERE new.status <> 'streaming';
        END;
        DROP TRIGGER messages_spend_total_insert;
        DROP TRIGGER messages_spend_total_delete;
        DROP TRIGGER messages_spend_total_update;
        DROP TRIGGER removed_spend_spend_total_insert;
        DROP TRIGGER removed_spend_spend_total_delete;
        DROP TRIGGER removed_spend_spend_total_update;
        UPDATE messages SET cost_source = 'reported' WHERE cost_usd IS NOT NULL;
        UPDATE removed_spend SET cost_source = 'reported';
        \(costTotalTriggers(table: "messages"))
        \(costTotalTriggers(table: "removed_spend"))
        DROP TRIGGER messages_keep_spend;
        CREATE TRIGGER messages_keep_spend AFTER DELETE ON messages WHEN old.cost_usd IS NOT NULL BEGIN
            INSERT INTO removed_spend (message_id, conversation_id, model, cost_usd, cost_source, created_at, removed_at)
            VALUES (old.id, old.conversation_id, old.model, old.cost_usd, old.cost_source, old.created_at,
                    strftime('%Y-%m-%dT%H:%M:%fZ','now'));
        END;
        """

    /// The running-total triggers of version 7 with the estimated part of each cost kept beside the total; a
    /// change of source alone (an estimate reconciled at the same amount) moves the amount out of the estimate.
    static func costTotalTriggers(table: String) -> String {
        func estimated(_ row: String) -> String { "CASE WHEN \(row).cost_source = 'estimated' THEN \(row).cost_usd ELSE 0 END" }
        func add(_ row: String) -> String {
            """
            INSERT INTO spend_by_day (day, model, cost_usd, answers, estimated_usd)
                    SELECT substr(\(row).created_at, 1, 10), COALESCE(\(row).model, ''), \(row).cost_usd, 1, \(estimated(row))
                    WHERE \(row).cost_usd IS NOT NULL
                    ON CONFLICT (day, model) DO UPDATE SET cost_usd = cost_usd + excluded.cost_usd, answers = answers + 1,
                    estimated_usd = estimated_usd + excluded.estimated_usd;
            """
        }
        func remove(_ row: String) -> String {
            """
            UPDATE spend_by_day SET cost_usd = cost_usd - \(row).cost_usd, answers = answers - 1,
                    estimated_usd = estimated_usd - \(estimated(row))
                    WHERE \(row).cost_usd IS NOT NULL AND day = substr(\(row).created_at, 1, 10) AND model = COALESCE(\(row).model, '');
            """
        }
        return """
            CREATE TRIGGER \(table)_spend_total_insert AFTER INSERT ON \(table) WHEN new.cost_usd IS NOT NULL BEGIN
                \(add("new"))
            END;
            CREATE TRIGGER \(table)_spend_total_delete AFTER DELETE ON \(table) WHEN old.cost_usd IS NOT NULL BEGIN
                \(remove("old"))
            END;
            CREATE TRIGGER \(table)_spend_total_update AFTER UPDATE OF cost_usd, cost_source, created_at, model ON \(table)
                WHEN old.cost_usd IS NOT new.cost_usd OR old.cost_source IS NOT new.cost_source
                  OR old.created_at IS NOT new.created_at OR old.model IS NOT new.model BEGIN
                \(remove("old"))
                \(add("new"))
            END;
            """
    }
}
