/// The schema of the appliance's database, as an ordered list of migrations.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration(
            version: 1,
            name: "app metadata",
            sql: """
                CREATE TABLE app_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                INSERT INTO app_meta (key, value) VALUES ('created_at', strftime('%Y-%m-%dT%H:%M:%fZ','now'));
                """
        ),
        Migration(version: 2, name: "conversations, messages, full-text index, models catalog", sql: chat),
        Migration(version: 3, name: "spend index, spend of deleted answers", sql: spend),
        Migration(version: 4, name: "password, browser sessions, API tokens", sql: auth),
        Migration(version: 5, name: "archived conversations, spend of re-imported answers", sql: archives),
        Migration(version: 6, name: "one search-index trigger for updates, timestamps in UTC", sql: searchTrigger + utcTimestamps),
        Migration(version: 7, name: "running spend totals per day and model", sql: spendTotals),
        Migration(version: 8, name: "where each answer's cost comes from", sql: costSources),
        Migration(version: 9, name: "conversation titles in the search index, prefix indexes", sql: titleSearch),
        Migration(version: 10, name: "messages form a tree: parents and the current leaf", sql: branches),
        Migration(version: 11, name: "accounts: people with roles, passwords and budgets; sessions and tokens per account", sql: accounts),
        Migration(version: 12, name: "conversations belong to accounts; spend per account and day", sql: ownership),
        Migration(version: 13, name: "message checks without temporary tables", sql: checksAsComparisons, step: raiseSchemaCookie),
    ]

    /// Conversations and messages. The full-text index covers only messages in a final state: a streaming answer is
    /// rewritten several times a second and is indexed once, when it ends (see the triggers' WHEN clauses).
    static let chat = """
        CREATE TABLE conversations (
            id            TEXT PRIMARY KEY,
            title         TEXT NOT NULL,
            model         TEXT,
            system_prompt TEXT,
            created_at    TEXT NOT NULL,
            updated_at    TEXT NOT NULL
        );
        CREATE INDEX conversations_by_update ON conversations (updated_at DESC, id);

        CREATE TABLE messages (
            id                TEXT PRIMARY KEY,
            conversation_id   TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
            seq               INTEGER NOT NULL,
            role              TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
            content           TEXT NOT NULL DEFAULT '',
            reasoning         TEXT NOT NULL DEFAULT '',
            model             TEXT,
            status            TEXT NOT NULL CHECK (status IN ('streaming', 'complete', 'stopped', 'error', 'interrupted')),
            finish_reason     TEXT,
            prompt_tokens     INTEGER,
            completion_tokens INTEGER,
            reasoning_tokens  INTEGER,
            cached_tokens     INTEGER,
            cost_usd          REAL,
            ttft_ms           INTEGER,
            duration_ms       INTEGER,
            generation_id     TEXT,
            request_id        TEXT,
            error             TEXT,
            worker_pid        INTEGER,
            created_at        TEXT NOT NULL,
            updated_at        TEXT NOT NULL,
            UNIQUE (conversation_id, seq)
        );
        CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming';
        CREATE INDEX messages_by_day ON messages (substr(created_at, 1, 10));

        CREATE VIRTUAL TABLE messages_fts USING fts5 (
            content, reasoning, content = 'messages', content_rowid = 'rowid', tokenize = 'unicode61'
        );
        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.status <> 'streaming' BEGIN
            INSERT INTO messages_fts (rowid, content, reasoning) VALUES (new.rowid, new.content, new.reasoning);
        END;
        CREATE TRIGGER messages_fts_unindex AFTER UPDATE ON messages WHEN old.status <> 'streaming' BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content, reasoning) VALUES ('delete', old.rowid, old.content, old.reasoning);
        END;
        CREATE TRIGGER messages_fts_reindex AFTER UPDATE ON messages WHEN new.status <> 'streaming' BEGIN
            INSERT INTO messages_fts (rowid, content, reasoning) VALUES (new.rowid, new.content, new.reasoning);
        END;
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.status <> 'streaming' BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content, reasoning) VALUES ('delete', old.rowid, old.content, old.reasoning);
        END;

        CREATE TABLE models (
            id                    TEXT PRIMARY KEY,
            name                  TEXT NOT NULL,
            context_length        INTEGER,
            prompt_price          REAL,
            completion_price      REAL,
            request_price         REAL,
            reasoning_price       REAL,
            cache_read_price      REAL,
            max_completion_tokens INTEGER,
            fetched_at            TEXT NOT NULL
        );
        """

    /// What budgets and `GET /api/usage` read. `messages_spend` covers the spend queries (a time range of priced
    /// answers, summed per model or day) without reading message text. `removed_spend` keeps the cost of answers
    /// that are deleted (a regenerated answer, a deleted conversation), so what was spent stays spent.
    static let spend = """
        CREATE INDEX messages_spend ON messages (created_at, model, cost_usd) WHERE cost_usd IS NOT NULL;

        CREATE TABLE removed_spend (
            message_id      TEXT NOT NULL,
            conversation_id TEXT NOT NULL,
            model           TEXT,
            cost_usd        REAL NOT NULL,
            created_at      TEXT NOT NULL,
            removed_at      TEXT NOT NULL
        );
        CREATE INDEX removed_spend_by_time ON removed_spend (created_at, model, cost_usd);
        CREATE INDEX removed_spend_by_conversation ON removed_spend (conversation_id);
        CREATE TRIGGER messages_keep_spend AFTER DELETE ON messages WHEN old.cost_usd IS NOT NULL BEGIN
            INSERT INTO removed_spend (message_id, conversation_id, model, cost_usd, created_at, removed_at)
            VALUES (old.id, old.conversation_id, old.model, old.cost_usd, old.created_at, strftime('%Y-%m-%dT%H:%M:%fZ','now'));
        END;
        """

    /// Authentication (NTAuth). Secrets are never stored: a session id and an API token are kept as the hex
    /// SHA-256 of their random bytes, the password as a bcrypt hash. `password_fingerprint` ties a session to the
    /// password it was opened with, so changing the password (here or in the config) ends every session.
    /// Times are Unix seconds (REAL), compared against the caller's clock.
    static let auth = """
        CREATE TABLE auth_password (
            id         INTEGER PRIMARY KEY CHECK (id = 1),
            hash       TEXT NOT NULL,
            changed_at TEXT NOT NULL
        );

        CREATE TABLE auth_sessions (
            id_hash              TEXT PRIMARY KEY,
            password_fingerprint TEXT NOT NULL,
            created_at           REAL NOT NULL,
            last_seen_at         REAL NOT NULL,
            client_ip            TEXT NOT NULL DEFAULT '',
            user_agent           TEXT NOT NULL DEFAULT ''
        );

        CREATE TABLE api_tokens (
            id           TEXT PRIMARY KEY,
            name         TEXT NOT NULL,
            secret_hash  TEXT NOT NULL,
            created_at   REAL NOT NULL,
            expires_at   REAL,
            last_used_at REAL,
            revoked_at   REAL
        );
        """

    /// Monthly archives (ADR 0011). `archived_conversations` remembers which state of a conversation went into
    /// which month file: `last_activity` (the latest `updated_at` of the conversation and its messages, as text) and
    /// `messages` (their count) at the time it was written. A conversation whose current values match is not
    /// written again, and is pruned only while they still match (a message that arrived after the archive keeps it).
    /// The row outlives a pruned conversation (`pruned_at`), so where it went stays known. An answer that comes
    /// back (an archive imported after a prune) takes its cost out of `removed_spend` again, so it counts once.
    static let archives = """
        CREATE TABLE archived_conversations (
            conversation_id TEXT PRIMARY KEY,
            last_activity   TEXT NOT NULL,
            messages        INTEGER NOT NULL,
            file            TEXT NOT NULL,
            archived_at     TEXT NOT NULL,
            pruned_at       TEXT
        );
        CREATE INDEX archived_conversations_unpruned ON archived_conversations (file) WHERE pruned_at IS NULL;
        CREATE INDEX removed_spend_by_message ON removed_spend (message_id);
        CREATE TRIGGER messages_restore_spend AFTER INSERT ON messages WHEN new.cost_usd IS NOT NULL BEGIN
            DELETE FROM removed_spend WHERE message_id = new.id;
        END;
        """
}

extension Schema {
    /// Up to version 5 an update of a message ran two triggers, one taking its old text out of the search index and
    /// one putting the new text in. SQLite runs the triggers of one event newest first, so the new text went in and
    /// was then taken out again: a finished message that was updated (an import's newer copy) vanished from search.
    /// One trigger now does both, in order, and the index is rebuilt from the messages (answers still streaming
    /// are indexed when they end, as before).
    static let searchTrigger = """
        DROP TRIGGER messages_fts_unindex;
        DROP TRIGGER messages_fts_reindex;
        CREATE TRIGGER messages_fts_update AFTER UPDATE ON messages BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content, reasoning)
                SELECT 'delete', old.rowid, old.content, old.reasoning WHERE old.status <> 'streaming';
            INSERT INTO messages_fts (rowid, content, reasoning)
                SELECT new.rowid, new.content, new.reasoning WHERE new.status <> 'streaming';
        END;
        INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
        INSERT INTO messages_fts (messages_fts, rowid, content, reasoning)
            SELECT 'delete', rowid, content, reasoning FROM messages WHERE status = 'streaming';

        """

    /// Before version 6 the importer stored a record's timestamps as written, so a database may hold times with an
    /// offset (`2026-01-01T10:00:00+02:00`) or without milliseconds. Everything that compares times as text (the
    /// day of a spend, the order of conversations, an archive's last activity) and the exporter's format expect the
    /// UTC form the appliance writes, `2026-01-01T08:00:00.000Z`, and an import now takes only that form: such
    /// times are rewritten in it. A value SQLite cannot read as a time is left as it is.
    static let utcTimestamps = [
        ("conversations", "created_at"), ("conversations", "updated_at"), ("messages", "created_at"),
        ("messages", "updated_at"), ("removed_spend", "created_at"), ("archived_conversations", "last_activity"),
    ].map { table, column in
        """
        UPDATE \(table) SET \(column) = strftime('%Y-%m-%dT%H:%M:%fZ', \(column))
        WHERE \(column) NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'
          AND strftime('%Y-%m-%dT%H:%M:%fZ', \(column)) IS NOT NULL;
        """
    }.joined(separator: "\n")

    /// The newest schema version this build knows.
    public static var newestVersion: Int { migrations.map(\.version).max() ?? 0 }

    /// The migrations a database at schema `version` was built from (1 through `version`), in order. A restore
    /// rebuilds that schema from them and compares it with the backup's, so the expected schema of every version
    /// comes from the same source as the live one.
    public static func migrations(through version: Int) -> [Migration] {
        migrations.filter { $0.version <= version }.sorted { $0.version < $1.version }
    }
}

extension Schema {
    /// Up to version 6 every budget check and every finished answer summed the month's priced answers: work that
    /// grew with every answer stored. `spend_by_day` keeps the sum per UTC day and model instead, kept exact by
    /// triggers on both places a cost lives (`messages` and `removed_spend`), so a day's or a month's spend is
    /// read from at most 31 × models rows whatever the history holds. An answer whose cost moves from `messages` to
    /// `removed_spend` (deleted) or back (re-imported) leaves the totals unchanged. The range indexes the old sums
    /// read are dropped; the totals are filled from the rows already stored.
    static let spendTotals = """
        CREATE TABLE spend_by_day (
            day      TEXT NOT NULL,
            model    TEXT NOT NULL,
            cost_usd REAL NOT NULL,
            answers  INTEGER NOT NULL,
            PRIMARY KEY (day, model)
        ) WITHOUT ROWID;
        \(spendTotalTriggers(table: "messages"))
        \(spendTotalTriggers(table: "removed_spend"))
        INSERT INTO spend_by_day (day, model, cost_usd, answers)
            SELECT substr(created_at, 1, 10), COALESCE(model, ''), SUM(cost_usd), COUNT(*) FROM (
                SELECT created_at, model, cost_usd FROM messages WHERE cost_usd IS NOT NULL
                UNION ALL
                SELECT created_at, model, cost_usd FROM removed_spend
            ) GROUP BY 1, 2;
        DROP INDEX messages_spend;
        DROP INDEX removed_spend_by_time;
        """

    /// The triggers that add a row's cost to its day and model when it appears, and take it away when it goes or
    /// changes; a row without a cost (a user message, an answer not priced) counts nowhere.
    static func spendTotalTriggers(table: String) -> String {
        func add(_ row: String) -> String {
            """
            INSERT INTO spend_by_day (day, model, cost_usd, answers)
                    SELECT substr(\(row).created_at, 1, 10), COALESCE(\(row).model, ''), \(row).cost_usd, 1 WHERE \(row).cost_usd IS NOT NULL
                    ON CONFLICT (day, model) DO UPDATE SET cost_usd = cost_usd + excluded.cost_usd, answers = answers + 1;
            """
        }
        func remove(_ row: String) -> String {
            """
            UPDATE spend_by_day SET cost_usd = cost_usd - \(row).cost_usd, answers = answers - 1
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
            CREATE TRIGGER \(table)_spend_total_update AFTER UPDATE OF cost_usd, created_at, model ON \(table)
                WHEN old.cost_usd IS NOT new.cost_usd OR old.created_at IS NOT new.created_at OR old.model IS NOT new.model BEGIN
                \(remove("old"))
                \(add("new"))
            END;
            """
    }
}
