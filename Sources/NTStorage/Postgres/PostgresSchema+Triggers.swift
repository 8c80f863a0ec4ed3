extension PostgresSchema {
    /// `Schema.branches` and `Schema.ownership`'s ordering: every parent is an earlier message (smaller `seq`) of
    /// the same conversation, and a conversation's messages are deleted just before the conversation, so their
    /// triggers still find its owner (the foreign key's cascade would run once the row is gone). A trigger's `WHEN`
    /// cannot hold a subquery in PostgreSQL, so the parent check is made in the function. Its error is SQLSTATE
    /// 23514 with SQLite's text: "a message's parent must be an earlier message of the same conversation".
    static let treeTriggers = """
        CREATE FUNCTION messages_parent_check() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NOT EXISTS (
                SELECT 1 FROM messages p WHERE p.id = NEW.parent_id AND p.conversation_id = NEW.conversation_id AND p.seq < NEW.seq
            ) THEN
                RAISE EXCEPTION 'a message''s parent must be an earlier message of the same conversation'
                    USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END
        $$;
        CREATE TRIGGER messages_parent_insert BEFORE INSERT ON messages
            FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL) EXECUTE FUNCTION messages_parent_check();
        CREATE TRIGGER messages_parent_update BEFORE UPDATE OF parent_id, conversation_id, seq ON messages
            FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL) EXECUTE FUNCTION messages_parent_check();

        CREATE FUNCTION conversations_delete_messages_first() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM messages WHERE conversation_id = OLD.id;
            RETURN OLD;
        END
        $$;
        CREATE TRIGGER conversations_delete_messages_first BEFORE DELETE ON conversations
            FOR EACH ROW EXECUTE FUNCTION conversations_delete_messages_first();
        """

    /// The spend triggers of SQLite's versions 5, 8 and 12.
    ///
    /// - `spend_total_change()` keeps `spend_by_day` (per UTC day and model) and `spend_user_change()` keeps
    ///   `spend_by_user_day` (per account and UTC day) equal to the costs in `messages` and `removed_spend`: a row's
    ///   cost is added when it appears and taken away when it goes or changes (an update takes the old row's away and
    ///   adds the new one's); a row without a cost counts nowhere; the estimated part is kept beside the total. A
    ///   message's cost counts for its conversation's owner, a deleted one's for `removed_spend.owner_id`.
    /// - `messages_keep_spend` moves a deleted answer's cost to `removed_spend`, `messages_restore_spend` takes it
    ///   out again when the answer comes back (a re-imported archive), so it counts once.
    ///
    /// The `UPDATE OF` lists and `WHEN` conditions are SQLite's (`IS NOT` becomes `IS DISTINCT FROM`).
    static let spendTriggers = """
        CREATE FUNCTION spend_total_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.cost_usd IS NOT NULL THEN
                UPDATE spend_by_day SET cost_usd = cost_usd - OLD.cost_usd, answers = answers - 1,
                    estimated_usd = estimated_usd - CASE WHEN OLD.cost_source = 'estimated' THEN OLD.cost_usd ELSE 0 END
                WHERE day = substr(OLD.created_at, 1, 10) AND model = COALESCE(OLD.model, '');
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.cost_usd IS NOT NULL THEN
                INSERT INTO spend_by_day AS t (day, model, cost_usd, answers, estimated_usd)
                VALUES (substr(NEW.created_at, 1, 10), COALESCE(NEW.model, ''), NEW.cost_usd, 1,
                        CASE WHEN NEW.cost_source = 'estimated' THEN NEW.cost_usd ELSE 0 END)
                ON CONFLICT (day, model) DO UPDATE SET cost_usd = t.cost_usd + excluded.cost_usd, answers = t.answers + 1,
                    estimated_usd = t.estimated_usd + excluded.estimated_usd;
            END IF;
            RETURN NULL;
        END
        $$;

        CREATE FUNCTION spend_owner(spent record, table_name name) RETURNS text LANGUAGE plpgsql STABLE AS $$
        BEGIN
            IF table_name = 'removed_spend' THEN
                RETURN COALESCE(spent.owner_id, 'owner');
            END IF;
            RETURN COALESCE((SELECT owner_id FROM conversations WHERE id = spent.conversation_id), 'owner');
        END
        $$;

        CREATE FUNCTION spend_user_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.cost_usd IS NOT NULL THEN
                UPDATE spend_by_user_day SET cost_usd = cost_usd - OLD.cost_usd, answers = answers - 1,
                    estimated_usd = estimated_usd - CASE WHEN OLD.cost_source = 'estimated' THEN OLD.cost_usd ELSE 0 END
                WHERE user_id = spend_owner(OLD, TG_TABLE_NAME) AND day = substr(OLD.created_at, 1, 10);
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.cost_usd IS NOT NULL THEN
                INSERT INTO spend_by_user_day AS t (user_id, day, cost_usd, estimated_usd, answers)
                VALUES (spend_owner(NEW, TG_TABLE_NAME), substr(NEW.created_at, 1, 10), NEW.cost_usd,
                        CASE WHEN NEW.cost_source = 'estimated' THEN NEW.cost_usd ELSE 0 END, 1)
                ON CONFLICT (user_id, day) DO UPDATE SET cost_usd = t.cost_usd + excluded.cost_usd,
                    estimated_usd = t.estimated_usd + excluded.estimated_usd, answers = t.answers + 1;
            END IF;
            RETURN NULL;
        END
        $$;

        \(runningTotalTriggers)

        CREATE FUNCTION messages_keep_spend() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO removed_spend (message_id, conversation_id, model, cost_usd, cost_source, created_at, removed_at, owner_id)
            VALUES (OLD.id, OLD.conversation_id, OLD.model, OLD.cost_usd, OLD.cost_source, OLD.created_at, utc_now_text(),
                    COALESCE((SELECT owner_id FROM conversations WHERE id = OLD.conversation_id), 'owner'));
            RETURN NULL;
        END
        $$;
        CREATE TRIGGER messages_keep_spend AFTER DELETE ON messages
            FOR EACH ROW WHEN (OLD.cost_usd IS NOT NULL) EXECUTE FUNCTION messages_keep_spend();

        CREATE FUNCTION messages_restore_spend() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM removed_spend WHERE message_id = NEW.id;
            RETURN NULL;
        END
        $$;
        CREATE TRIGGER messages_restore_spend AFTER INSERT ON messages
            FOR EACH ROW WHEN (NEW.cost_usd IS NOT NULL) EXECUTE FUNCTION messages_restore_spend();
        """
}

extension PostgresSchema {
    /// The insert, delete and update triggers of both running totals on both tables a cost lives in, with SQLite's
    /// names (`messages_spend_total_insert`, …, `removed_spend_user_spend_update`). A change of model moves a cost
    /// between the days-and-models totals only; the per-account totals do not count by model.
    static let runningTotalTriggers: String = {
        let totals: [(name: String, function: String, columns: [String])] = [
            ("spend_total", "spend_total_change", ["cost_usd", "cost_source", "created_at", "model"]),
            ("user_spend", "spend_user_change", ["cost_usd", "cost_source", "created_at"]),
        ]
        return totals.flatMap { (name: String, function: String, columns: [String]) -> [String] in
            ["messages", "removed_spend"].map { (table: String) -> String in
                let changed = columns.map { "OLD.\($0) IS DISTINCT FROM NEW.\($0)" }.joined(separator: " OR ")
                return """
                    CREATE TRIGGER \(table)_\(name)_insert AFTER INSERT ON \(table)
                        FOR EACH ROW WHEN (NEW.cost_usd IS NOT NULL) EXECUTE FUNCTION \(function)();
                    CREATE TRIGGER \(table)_\(name)_delete AFTER DELETE ON \(table)
                        FOR EACH ROW WHEN (OLD.cost_usd IS NOT NULL) EXECUTE FUNCTION \(function)();
                    CREATE TRIGGER \(table)_\(name)_update AFTER UPDATE OF \(columns.joined(separator: ", ")) ON \(table)
                        FOR EACH ROW WHEN (\(changed)) EXECUTE FUNCTION \(function)();
                """
            }
        }.joined(separator: "\n")
    }()
}
