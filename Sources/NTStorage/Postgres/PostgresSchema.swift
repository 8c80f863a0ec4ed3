/// The schema of the appliance's database on PostgreSQL 15: the state ``Schema`` reaches at its version 12, built
/// directly (a PostgreSQL database starts empty: there is nothing to upgrade, so the SQLite history is not replayed).
///
/// Tables and columns have SQLite's names, so the repositories' SQL runs on both engines. Types map INTEGER to
/// `bigint`, REAL to `double precision` and TEXT to `text`; timestamps stay ISO 8601 text in UTC with milliseconds
/// (`2026-01-01T08:00:00.000Z`, compared as text) and flags stay 0/1. It applies as the database's owner: no
/// extension, nothing that needs a superuser. Where it differs from SQLite:
/// - `messages.rowid` stands in for SQLite's implicit rowid (search ranks only the newest matches by it): an identity,
///   increasing with every insert and never written by an `INSERT` (SQLite may reuse the highest rowid once its row
///   is deleted; this never does).
/// - Full-text search has no FTS5 tables. `messages.search` (content weighted A, reasoning B) and
///   `conversations.search` (the title) are tsvector columns generated with the `simple` configuration, behind GIN
///   indexes, and queried with `@@`. A message's vector is NULL while it streams, so the flushes of a streaming answer
///   index nothing (they are HOT updates: no index is written); it is computed when the message leaves `streaming`,
///   and again only when an `UPDATE` sets its content, reasoning or status (as the FTS5 triggers did). PostgreSQL's
///   parser splits words unlike FTS5's `unicode61` (it keeps accents, and keeps `3.14`, `foo-bar` and e-mail
///   addresses whole beside their parts).
///   A tsvector holds at most 1 MB: `search_vector` then indexes a shorter beginning of the text rather than
///   refusing the write.
/// - `users.name` is unique regardless of case through a unique index on `lower(name)` (SQLite: `COLLATE
///   NOCASE`); a lookup by name must compare `lower(name) = lower(?)`.
/// - The triggers are PL/pgSQL functions with the same names and behaviour (the second file). PostgreSQL runs the
///   triggers of one event in name order, SQLite newest first: the totals come out the same, up to the last bits of
///   floating-point rounding. The parent check fails with SQLSTATE 23514 (`check_violation`) and SQLite's text.
/// - Text compares by the database's collation, SQLite bytewise: the same for the ISO timestamps, days and ids the
///   repositories compare; other orders (model ids, names) follow the collation.
public enum PostgresSchema {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "app metadata", sql: appMeta),
        Migration(version: 2, name: "accounts, browser sessions, API tokens", sql: accounts),
        Migration(version: 3, name: "conversations, messages with their search vectors, models catalog", sql: chat),
        Migration(version: 4, name: "messages form a tree; a conversation's messages are deleted before it", sql: treeTriggers),
        Migration(version: 5, name: "spend of deleted answers, running totals, archived conversations", sql: spend),
        Migration(version: 6, name: "triggers keeping the spend totals and the spend of deleted answers", sql: spendTriggers),
        Migration(version: 7, name: "several appliances: runners, the runner of each streaming answer, shared budget reservations", sql: cluster),
        Migration(version: 8, name: "the login throttle shared by several appliances", sql: loginThrottle),
        Migration(version: 9, name: "stop requests kept on the answer until its runner reads them", sql: stopRequests),
    ]

    /// `utc_now_text()` is SQLite's `strftime('%Y-%m-%dT%H:%M:%fZ','now')`: the statement's start (SQLite's 'now'
    /// is fixed for one statement too) in UTC, whatever the session's time zone.
    static let appMeta = """
        CREATE FUNCTION utc_now_text() RETURNS text LANGUAGE sql STABLE AS $$
            SELECT to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
        $$;
        CREATE TABLE app_meta (key text PRIMARY KEY, value text NOT NULL);
        INSERT INTO app_meta (key, value) VALUES ('created_at', utc_now_text());
        """

    /// `Schema.auth` and `Schema.accounts`: the owner account exists from the start, without a password. Session and
    /// token times are Unix seconds.
    static let accounts = """
        CREATE TABLE users (
            id                 text PRIMARY KEY,
            name               text NOT NULL,
            role               text NOT NULL CHECK (role IN ('admin', 'member')),
            password_hash      text,
            disabled_at        text,
            daily_budget_usd   double precision CHECK (daily_budget_usd IS NULL OR daily_budget_usd >= 0),
            monthly_budget_usd double precision CHECK (monthly_budget_usd IS NULL OR monthly_budget_usd >= 0),
            created_at         text NOT NULL,
            updated_at         text NOT NULL
        );
        CREATE UNIQUE INDEX users_name_nocase ON users (lower(name));
        INSERT INTO users (id, name, role, password_hash, created_at, updated_at)
            VALUES ('owner', 'admin', 'admin', NULL, utc_now_text(), utc_now_text());

        CREATE TABLE auth_sessions (
            id_hash              text PRIMARY KEY,
            password_fingerprint text NOT NULL,
            created_at           double precision NOT NULL,
            last_seen_at         double precision NOT NULL,
            client_ip            text NOT NULL DEFAULT '',
            user_agent           text NOT NULL DEFAULT '',
            user_id              text NOT NULL DEFAULT 'owner'
        );
        CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

        CREATE TABLE api_tokens (
            id           text PRIMARY KEY,
            name         text NOT NULL,
            secret_hash  text NOT NULL,
            created_at   double precision NOT NULL,
            expires_at   double precision,
            last_used_at double precision,
            revoked_at   double precision,
            user_id      text NOT NULL DEFAULT 'owner'
        );
        CREATE INDEX api_tokens_user ON api_tokens (user_id);
        """

    /// Conversations, messages and the models catalog. `search_vector(primary, secondary)` is the weighted vector of
    /// two texts (A and B). A vector over 1 MB is an error in PostgreSQL, and a long paste or import must still be
    /// stored: such texts are indexed from their beginnings, halved until the vector fits. It is immutable (the same
    /// texts give the same vector), as a generated column requires.
    static let chat = """
        CREATE FUNCTION search_vector(primary_text text, secondary_text text) RETURNS tsvector
        LANGUAGE plpgsql IMMUTABLE AS $$
        DECLARE
            keep integer := greatest(length(primary_text), length(secondary_text));
        BEGIN
            LOOP
                BEGIN
                    RETURN setweight(to_tsvector('simple', left(primary_text, keep)), 'A')
                        || setweight(to_tsvector('simple', left(secondary_text, keep)), 'B');
                EXCEPTION WHEN program_limit_exceeded THEN
                    keep := keep / 2;
                END;
            END LOOP;
        END
        $$;

        CREATE TABLE conversations (
            id              text PRIMARY KEY,
            title           text NOT NULL,
            model           text,
            system_prompt   text,
            created_at      text NOT NULL,
            updated_at      text NOT NULL,
            current_leaf_id text,
            owner_id        text NOT NULL DEFAULT 'owner',
            search          tsvector GENERATED ALWAYS AS (search_vector(title, '')) STORED
        );
        CREATE INDEX conversations_by_update ON conversations (updated_at DESC, id);
        CREATE INDEX conversations_owner ON conversations (owner_id, updated_at);
        CREATE INDEX conversations_search ON conversations USING gin (search);

        CREATE TABLE messages (
            id                text PRIMARY KEY,
            conversation_id   text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
            seq               bigint NOT NULL,
            role              text NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
            content           text NOT NULL DEFAULT '',
            reasoning         text NOT NULL DEFAULT '',
            model             text,
            status            text NOT NULL CHECK (status IN ('streaming', 'complete', 'stopped', 'error', 'interrupted')),
            finish_reason     text,
            prompt_tokens     bigint,
            completion_tokens bigint,
            reasoning_tokens  bigint,
            cached_tokens     bigint,
            cost_usd          double precision,
            ttft_ms           bigint,
            duration_ms       bigint,
            generation_id     text,
            request_id        text,
            error             text,
            worker_pid        bigint,
            created_at        text NOT NULL,
            updated_at        text NOT NULL,
            cost_source       text CHECK (cost_source IN ('reported', 'reconciled', 'estimated')),
            parent_id         text REFERENCES messages (id),
            rowid             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
            search            tsvector GENERATED ALWAYS AS (
                CASE WHEN status <> 'streaming' THEN search_vector(content, reasoning) END
            ) STORED,
            UNIQUE (conversation_id, seq)
        );
        CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming';
        CREATE INDEX messages_by_day ON messages (substr(created_at, 1, 10));
        CREATE INDEX messages_children ON messages (parent_id, seq);
        CREATE INDEX messages_search ON messages USING gin (search);

        CREATE TABLE models (
            id                    text PRIMARY KEY,
            name                  text NOT NULL,
            context_length        bigint,
            prompt_price          double precision,
            completion_price      double precision,
            request_price         double precision,
            reasoning_price       double precision,
            cache_read_price      double precision,
            max_completion_tokens bigint,
            fetched_at            text NOT NULL
        );
        """

    /// Where spend is read from (`Schema.spend`, `spendTotals`, `costSources`, `ownership`) and the monthly archives'
    /// records (`Schema.archives`).
    static let spend = """
        CREATE TABLE removed_spend (
            message_id      text NOT NULL,
            conversation_id text NOT NULL,
            model           text,
            cost_usd        double precision NOT NULL,
            created_at      text NOT NULL,
            removed_at      text NOT NULL,
            cost_source     text,
            owner_id        text NOT NULL DEFAULT 'owner'
        );
        CREATE INDEX removed_spend_by_conversation ON removed_spend (conversation_id);
        CREATE INDEX removed_spend_by_message ON removed_spend (message_id);

        CREATE TABLE spend_by_day (
            day           text NOT NULL,
            model         text NOT NULL,
            cost_usd      double precision NOT NULL,
            answers       bigint NOT NULL,
            estimated_usd double precision NOT NULL DEFAULT 0,
            PRIMARY KEY (day, model)
        );

        CREATE TABLE spend_by_user_day (
            user_id       text NOT NULL,
            day           text NOT NULL,
            cost_usd      double precision NOT NULL,
            estimated_usd double precision NOT NULL,
            answers       bigint NOT NULL,
            PRIMARY KEY (user_id, day)
        );

        CREATE TABLE archived_conversations (
            conversation_id text PRIMARY KEY,
            last_activity   text NOT NULL,
            messages        bigint NOT NULL,
            file            text NOT NULL,
            archived_at     text NOT NULL,
            pruned_at       text
        );
        CREATE INDEX archived_conversations_unpruned ON archived_conversations (file) WHERE pruned_at IS NULL;
        """

    /// What several appliances on one database share at run time (ADR 0021), none of it copied by `migrate`:
    /// - `runners`: one row per web worker process that started; it is alive while it holds the advisory lock
    ///   (``ClusterLocks/runnerClass``, its id) on a connection of its own, so a process that dies, however it dies,
    ///   lets go when its connection closes.
    /// - `messages.runner_id`: the runner streaming an answer (NULL once it ended).
    /// - `budget_reservations`: the worst case of every answer admitted and not yet settled, on whichever instance;
    ///   a budget check counts them under the writers' lock.
    static let cluster = """
        CREATE TABLE runners (
            id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            instance   text NOT NULL,
            host       text NOT NULL,
            pid        bigint NOT NULL,
            started_at text NOT NULL
        );
        ALTER TABLE messages ADD COLUMN runner_id bigint;
        CREATE TABLE budget_reservations (
            id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            runner_id       bigint NOT NULL,
            conversation_id text NOT NULL,
            owner_id        text,
            day             text NOT NULL,
            amount_usd      double precision NOT NULL,
            created_at      text NOT NULL
        );
        """

    /// A stop asked of another instance's answer is kept on its row (`messages.stop_requested_at`, run-time state not
    /// copied by `migrate`) as well as sent by `NOTIFY`: a notification sent while the runner's session is down is
    /// lost, the row is not, and the runner reads it on its next flush tick (ADR 0021).
    static let stopRequests = """
        ALTER TABLE messages ADD COLUMN stop_requested_at text;
        """
}
