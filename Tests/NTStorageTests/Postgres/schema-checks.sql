-- Checks of the PostgreSQL schema (Sources/NTStorage/Postgres/PostgresSchema*.swift) on a new database that holds
-- exactly that schema, applied as the database's owner (not a superuser). Run:
--   psql -X -v ON_ERROR_STOP=1 -d DB -f schema-checks.sql
-- Every check is a DO block that prints "PASS: <check>" or stops the script with "FAIL: <check>: <detail>"; the
-- last line printed is "ALL CHECKS PASSED". It leaves the rows it writes behind: use a throwaway database.
--
-- The statements between "portable operations" markers are plain SQL that SQLite's schema (version 12) runs as well;
-- the totals they leave can be compared with SQLite's.
\set ON_ERROR_STOP 1
SET client_min_messages = notice;

-- 1. Structure -------------------------------------------------------------------------------------------------

DO $$
DECLARE
    problems text;
BEGIN
    WITH expected (table_name, column_name, data_type, is_nullable) AS (VALUES
    ('api_tokens', 'id', 'text', 'NO'),
    ('api_tokens', 'name', 'text', 'NO'),
    ('api_tokens', 'secret_hash', 'text', 'NO'),
    ('api_tokens', 'created_at', 'double precision', 'NO'),
    ('api_tokens', 'expires_at', 'double precision', 'YES'),
    ('api_tokens', 'last_used_at', 'double precision', 'YES'),
    ('api_tokens', 'revoked_at', 'double precision', 'YES'),
    ('api_tokens', 'user_id', 'text', 'NO'),
    ('app_meta', 'key', 'text', 'NO'),
    ('app_meta', 'value', 'text', 'NO'),
    ('archived_conversations', 'conversation_id', 'text', 'NO'),
    ('archived_conversations', 'last_activity', 'text', 'NO'),
    ('archived_conversations', 'messages', 'bigint', 'NO'),
    ('archived_conversations', 'file', 'text', 'NO'),
    ('archived_conversations', 'archived_at', 'text', 'NO'),
    ('archived_conversations', 'pruned_at', 'text', 'YES'),
    ('auth_sessions', 'id_hash', 'text', 'NO'),
    ('auth_sessions', 'password_fingerprint', 'text', 'NO'),
    ('auth_sessions', 'created_at', 'double precision', 'NO'),
    ('auth_sessions', 'last_seen_at', 'double precision', 'NO'),
    ('auth_sessions', 'client_ip', 'text', 'NO'),
    ('auth_sessions', 'user_agent', 'text', 'NO'),
    ('auth_sessions', 'user_id', 'text', 'NO'),
    ('conversations', 'id', 'text', 'NO'),
    ('conversations', 'title', 'text', 'NO'),
    ('conversations', 'model', 'text', 'YES'),
    ('conversations', 'system_prompt', 'text', 'YES'),
    ('conversations', 'created_at', 'text', 'NO'),
    ('conversations', 'updated_at', 'text', 'NO'),
    ('conversations', 'current_leaf_id', 'text', 'YES'),
    ('conversations', 'owner_id', 'text', 'NO'),
    ('messages', 'id', 'text', 'NO'),
    ('messages', 'conversation_id', 'text', 'NO'),
    ('messages', 'seq', 'bigint', 'NO'),
    ('messages', 'role', 'text', 'NO'),
    ('messages', 'content', 'text', 'NO'),
    ('messages', 'reasoning', 'text', 'NO'),
    ('messages', 'model', 'text', 'YES'),
    ('messages', 'status', 'text', 'NO'),
    ('messages', 'finish_reason', 'text', 'YES'),
    ('messages', 'prompt_tokens', 'bigint', 'YES'),
    ('messages', 'completion_tokens', 'bigint', 'YES'),
    ('messages', 'reasoning_tokens', 'bigint', 'YES'),
    ('messages', 'cached_tokens', 'bigint', 'YES'),
    ('messages', 'cost_usd', 'double precision', 'YES'),
    ('messages', 'ttft_ms', 'bigint', 'YES'),
    ('messages', 'duration_ms', 'bigint', 'YES'),
    ('messages', 'generation_id', 'text', 'YES'),
    ('messages', 'request_id', 'text', 'YES'),
    ('messages', 'error', 'text', 'YES'),
    ('messages', 'worker_pid', 'bigint', 'YES'),
    ('messages', 'created_at', 'text', 'NO'),
    ('messages', 'updated_at', 'text', 'NO'),
    ('messages', 'cost_source', 'text', 'YES'),
    ('messages', 'parent_id', 'text', 'YES'),
    ('models', 'id', 'text', 'NO'),
    ('models', 'name', 'text', 'NO'),
    ('models', 'context_length', 'bigint', 'YES'),
    ('models', 'prompt_price', 'double precision', 'YES'),
    ('models', 'completion_price', 'double precision', 'YES'),
    ('models', 'request_price', 'double precision', 'YES'),
    ('models', 'reasoning_price', 'double precision', 'YES'),
    ('models', 'cache_read_price', 'double precision', 'YES'),
    ('models', 'max_completion_tokens', 'bigint', 'YES'),
    ('models', 'fetched_at', 'text', 'NO'),
    ('removed_spend', 'message_id', 'text', 'NO'),
    ('removed_spend', 'conversation_id', 'text', 'NO'),
    ('removed_spend', 'model', 'text', 'YES'),
    ('removed_spend', 'cost_usd', 'double precision', 'NO'),
    ('removed_spend', 'created_at', 'text', 'NO'),
    ('removed_spend', 'removed_at', 'text', 'NO'),
    ('removed_spend', 'cost_source', 'text', 'YES'),
    ('removed_spend', 'owner_id', 'text', 'NO'),
    ('spend_by_day', 'day', 'text', 'NO'),
    ('spend_by_day', 'model', 'text', 'NO'),
    ('spend_by_day', 'cost_usd', 'double precision', 'NO'),
    ('spend_by_day', 'answers', 'bigint', 'NO'),
    ('spend_by_day', 'estimated_usd', 'double precision', 'NO'),
    ('spend_by_user_day', 'user_id', 'text', 'NO'),
    ('spend_by_user_day', 'day', 'text', 'NO'),
    ('spend_by_user_day', 'cost_usd', 'double precision', 'NO'),
    ('spend_by_user_day', 'estimated_usd', 'double precision', 'NO'),
    ('spend_by_user_day', 'answers', 'bigint', 'NO'),
    ('users', 'id', 'text', 'NO'),
    ('users', 'name', 'text', 'NO'),
    ('users', 'role', 'text', 'NO'),
    ('users', 'password_hash', 'text', 'YES'),
    ('users', 'disabled_at', 'text', 'YES'),
    ('users', 'daily_budget_usd', 'double precision', 'YES'),
    ('users', 'monthly_budget_usd', 'double precision', 'YES'),
    ('users', 'created_at', 'text', 'NO'),
    ('users', 'updated_at', 'text', 'NO')
    ), extra (table_name, column_name, data_type, is_nullable) AS (VALUES
        ('messages', 'rowid', 'bigint', 'NO'), ('messages', 'search', 'tsvector', 'YES'),
        ('conversations', 'search', 'tsvector', 'YES'),
        -- the instances' run-time state (PostgreSQL only): runners, who streams an answer, budget reservations
        ('messages', 'runner_id', 'bigint', 'YES'), ('messages', 'stop_requested_at', 'text', 'YES'),
        ('runners', 'id', 'bigint', 'NO'), ('runners', 'instance', 'text', 'NO'), ('runners', 'host', 'text', 'NO'),
        ('runners', 'pid', 'bigint', 'NO'), ('runners', 'started_at', 'text', 'NO'),
        ('budget_reservations', 'id', 'bigint', 'NO'), ('budget_reservations', 'runner_id', 'bigint', 'NO'),
        ('budget_reservations', 'conversation_id', 'text', 'NO'), ('budget_reservations', 'owner_id', 'text', 'YES'),
        ('budget_reservations', 'day', 'text', 'NO'), ('budget_reservations', 'amount_usd', 'double precision', 'NO'),
        ('budget_reservations', 'created_at', 'text', 'NO'),
        -- the login throttle shared by the instances (PostgreSQL only)
        ('login_throttle', 'client', 'text', 'NO'), ('login_throttle', 'failures', 'bigint', 'NO'),
        ('login_throttle', 'last_failure_ms', 'bigint', 'YES'), ('login_throttle', 'pending_since_ms', 'bigint', 'YES'),
        ('login_throttle', 'succeeded_at_ms', 'bigint', 'YES'), ('login_throttle', 'updated_at_ms', 'bigint', 'NO')
    ), wanted AS (SELECT * FROM expected UNION ALL SELECT * FROM extra),
    actual AS (
        SELECT c.table_name::text COLLATE "default", c.column_name::text COLLATE "default",
               c.data_type::text COLLATE "default", c.is_nullable::text COLLATE "default"
        FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> 'schema_migrations'
    )
    SELECT string_agg(coalesce(w.table_name, a.table_name) || '.' || coalesce(w.column_name, a.column_name)
                      || ' wanted ' || coalesce(w.data_type || ' nullable ' || w.is_nullable, 'nothing')
                      || ', found ' || coalesce(a.data_type || ' nullable ' || a.is_nullable, 'nothing'), '; ')
    INTO problems
    FROM wanted w FULL JOIN actual a USING (table_name, column_name)
    WHERE w IS DISTINCT FROM a;
    IF problems IS NOT NULL THEN RAISE EXCEPTION 'FAIL: columns as in SQLite version 12: %', problems; END IF;
    RAISE NOTICE 'PASS: every table and column of SQLite version 12, typed bigint / double precision / text';
END $$;

DO $$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(name, ', ') INTO missing FROM unnest(ARRAY[
        'conversations_by_update', 'conversations_owner', 'conversations_search', 'messages_streaming', 'messages_by_day',
        'messages_children', 'messages_search', 'removed_spend_by_conversation', 'removed_spend_by_message',
        'archived_conversations_unpruned', 'auth_sessions_user', 'api_tokens_user', 'users_name_nocase'
    ]) AS name WHERE to_regclass(name) IS NULL;
    IF missing IS NOT NULL THEN RAISE EXCEPTION 'FAIL: indexes: missing %', missing; END IF;
    SELECT string_agg(name, ', ') INTO missing FROM unnest(ARRAY[
        'messages_parent_insert', 'messages_parent_update', 'conversations_delete_messages_first', 'messages_keep_spend',
        'messages_restore_spend', 'messages_spend_total_insert', 'messages_spend_total_delete', 'messages_spend_total_update',
        'removed_spend_spend_total_insert', 'removed_spend_spend_total_delete', 'removed_spend_spend_total_update',
        'messages_user_spend_insert', 'messages_user_spend_delete', 'messages_user_spend_update',
        'removed_spend_user_spend_insert', 'removed_spend_user_spend_delete', 'removed_spend_user_spend_update'
    ]) AS name WHERE NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = name AND NOT tgisinternal);
    IF missing IS NOT NULL THEN RAISE EXCEPTION 'FAIL: triggers: missing %', missing; END IF;
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname <> 'plpgsql') THEN
        RAISE EXCEPTION 'FAIL: no extension: found %', (SELECT string_agg(extname, ', ') FROM pg_extension);
    END IF;
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE WARNING 'these checks run as a superuser: they do not show that the schema applies as a plain owner';
    END IF;
    RAISE NOTICE 'PASS: indexes and triggers present, no extension';
END $$;

-- 2. Times, metadata, accounts -----------------------------------------------------------------------------------

DO $$
DECLARE
    format constant text := '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$';
    utc text;
BEGIN
    IF (SELECT value FROM app_meta WHERE key = 'created_at') !~ format THEN
        RAISE EXCEPTION 'FAIL: app_meta.created_at in SQLite''s format: %', (SELECT value FROM app_meta WHERE key = 'created_at');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = 'owner' AND name = 'admin' AND role = 'admin' AND password_hash IS NULL
                   AND disabled_at IS NULL AND created_at ~ format) THEN
        RAISE EXCEPTION 'FAIL: the owner account exists from the start';
    END IF;
    PERFORM set_config('TimeZone', 'Pacific/Kiritimati', true);  -- UTC+14: a local time would show the next day
    utc := to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
    IF utc_now_text() !~ format OR utc_now_text() <> utc THEN
        RAISE EXCEPTION 'FAIL: utc_now_text() is UTC in any session time zone: % against %', utc_now_text(), utc;
    END IF;
    RAISE NOTICE 'PASS: timestamps are ISO 8601 UTC text with milliseconds; the owner account exists';
END $$;

DO $$
BEGIN
    INSERT INTO users (id, name, role, created_at, updated_at)
        VALUES ('u_alice', 'Alice', 'member', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
    BEGIN
        INSERT INTO users (id, name, role, created_at, updated_at)
            VALUES ('u_alice2', 'aLICE', 'member', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
        RAISE EXCEPTION 'FAIL: names unique regardless of case: aLICE was added beside Alice';
    EXCEPTION WHEN unique_violation THEN
        NULL;
    END;
    UPDATE users SET name = 'alice' WHERE id = 'u_alice';  -- a change of case of one's own name is no conflict
    IF (SELECT id FROM users WHERE lower(name) = lower('ALICE')) IS DISTINCT FROM 'u_alice' THEN
        RAISE EXCEPTION 'FAIL: lookup by lower(name)';
    END IF;
    BEGIN
        INSERT INTO users (id, name, role, created_at, updated_at) VALUES ('u_x', 'x', 'root', '', '');
        RAISE EXCEPTION 'FAIL: role check: root accepted';
    EXCEPTION WHEN check_violation THEN
        NULL;
    END;
    BEGIN
        UPDATE users SET daily_budget_usd = -1 WHERE id = 'u_alice';
        RAISE EXCEPTION 'FAIL: budget check: a negative budget accepted';
    EXCEPTION WHEN check_violation THEN
        NULL;
    END;
    RAISE NOTICE 'PASS: account names are unique regardless of case (unique index on lower(name)); role and budget checks';
END $$;

-- 3. Spend: running totals, deleted answers, re-imported answers ---------------------------------------------

-- What spend_by_day and spend_by_user_day must hold, summed directly from messages and removed_spend; returns the
-- differences (NULL when there are none). A totals row whose answers are all gone must be (about) zero.
CREATE FUNCTION pg_temp.spend_differences() RETURNS text LANGUAGE sql AS $$
    WITH costs AS (
        SELECT m.created_at, m.model, m.cost_usd, m.cost_source, coalesce(c.owner_id, 'owner') AS owner
            FROM messages m LEFT JOIN conversations c ON c.id = m.conversation_id WHERE m.cost_usd IS NOT NULL
        UNION ALL
        SELECT created_at, model, cost_usd, cost_source, owner_id FROM removed_spend
    ), by_day AS (
        SELECT substr(created_at, 1, 10) AS day, coalesce(model, '') AS model, sum(cost_usd) AS cost, count(*) AS answers,
               sum(CASE WHEN cost_source = 'estimated' THEN cost_usd ELSE 0 END) AS estimated
        FROM costs GROUP BY 1, 2
    ), by_user AS (
        SELECT owner AS user_id, substr(created_at, 1, 10) AS day, sum(cost_usd) AS cost, count(*) AS answers,
               sum(CASE WHEN cost_source = 'estimated' THEN cost_usd ELSE 0 END) AS estimated
        FROM costs GROUP BY 1, 2
    ), differences AS (
        SELECT format('spend_by_day %s %s: kept %s/%s/%s, summed %s/%s/%s', day, model, t.cost_usd, t.answers,
                      t.estimated_usd, s.cost, s.answers, s.estimated) AS d
        FROM spend_by_day t FULL JOIN by_day s USING (day, model)
        WHERE coalesce(t.answers, 0) <> coalesce(s.answers, 0)
           OR abs(coalesce(t.cost_usd, 0) - coalesce(s.cost, 0)) > 1e-9
           OR abs(coalesce(t.estimated_usd, 0) - coalesce(s.estimated, 0)) > 1e-9
        UNION ALL
        SELECT format('spend_by_user_day %s %s: kept %s/%s/%s, summed %s/%s/%s', user_id, day, t.cost_usd, t.answers,
                      t.estimated_usd, s.cost, s.answers, s.estimated)
        FROM spend_by_user_day t FULL JOIN by_user s USING (user_id, day)
        WHERE coalesce(t.answers, 0) <> coalesce(s.answers, 0)
           OR abs(coalesce(t.cost_usd, 0) - coalesce(s.cost, 0)) > 1e-9
           OR abs(coalesce(t.estimated_usd, 0) - coalesce(s.estimated, 0)) > 1e-9
    )
    SELECT string_agg(d, '; ') FROM differences
$$;

CREATE FUNCTION pg_temp.check_spend(step text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    differences text := pg_temp.spend_differences();
BEGIN
    IF differences IS NOT NULL THEN RAISE EXCEPTION 'FAIL: spend totals after %: %', step, differences; END IF;
    RAISE NOTICE 'PASS: spend totals equal the direct sums after %', step;
END $$;

-- portable operations begin
INSERT INTO users (id, name, role, created_at, updated_at)
    VALUES ('u_bob', 'bob', 'member', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
INSERT INTO conversations (id, title, created_at, updated_at, owner_id) VALUES
    ('c1', 'Trapezoid geometry', '2026-01-01T10:00:00.000Z', '2026-01-01T10:00:00.000Z', 'owner'),
    ('c2', 'Budget talk', '2026-01-02T10:00:00.000Z', '2026-01-02T10:00:00.000Z', 'u_alice'),
    ('c3', 'Bob''s questions', '2026-01-02T11:00:00.000Z', '2026-01-02T11:00:00.000Z', 'u_bob');
-- A turn: the question, then an answer that streams (flushed twice) and ends with an estimated cost.
INSERT INTO messages (id, conversation_id, seq, role, content, status, created_at, updated_at)
    VALUES ('m1', 'c1', 1, 'user', 'How large is a trapezoid?', 'complete', '2026-01-01T10:00:00.000Z', '2026-01-01T10:00:00.000Z');
INSERT INTO messages (id, conversation_id, seq, role, model, status, created_at, updated_at, parent_id, worker_pid)
    VALUES ('m2', 'c1', 2, 'assistant', 'model/a', 'streaming', '2026-01-01T10:00:00.000Z', '2026-01-01T10:00:00.000Z', 'm1', 4242);
UPDATE messages SET content = 'The area of a', reasoning = 'Recall the', updated_at = '2026-01-01T10:00:01.000Z'
    WHERE id = 'm2' AND status = 'streaming';
UPDATE messages SET content = 'The area of a trapezoid is', reasoning = 'Recall the parallelogram formula',
    updated_at = '2026-01-01T10:00:02.000Z' WHERE id = 'm2' AND status = 'streaming';
UPDATE messages SET status = 'complete', content = 'The area of a trapezoid is half the sum of its bases times its height.',
    reasoning = 'Recall the parallelogram formula', cost_usd = 0.25, cost_source = 'estimated', worker_pid = NULL,
    updated_at = '2026-01-01T10:00:03.000Z' WHERE id = 'm2';
-- Reconciled at another amount, then a reported answer without a model and one priced without a source.
UPDATE messages SET cost_usd = 0.3, cost_source = 'reconciled' WHERE id = 'm2' AND (cost_source IS NULL OR cost_source = 'estimated');
INSERT INTO messages (id, conversation_id, seq, role, content, status, created_at, updated_at, parent_id)
    VALUES ('m3', 'c1', 3, 'user', 'And a kite?', 'complete', '2026-01-01T23:59:59.999Z', '2026-01-01T23:59:59.999Z', 'm2');
INSERT INTO messages (id, conversation_id, seq, role, content, model, status, cost_usd, cost_source, created_at, updated_at, parent_id)
    VALUES ('m4', 'c1', 4, 'assistant', 'Half the product of its diagonals.', 'model/d', 'complete', 0.125, 'reported',
            '2026-01-01T23:59:59.999Z', '2026-01-02T00:00:00.500Z', 'm3');
INSERT INTO messages (id, conversation_id, seq, role, content, model, status, cost_usd, created_at, updated_at)
    VALUES ('m5', 'c2', 1, 'assistant', 'An answer priced before cost sources existed.', 'model/b', 'complete', 0.1,
            '2026-01-02T09:00:00.000Z', '2026-01-02T09:00:00.000Z');
-- Alice's conversation: an estimated answer whose day and model change, then is reconciled at the same amount.
INSERT INTO messages (id, conversation_id, seq, role, content, status, created_at, updated_at)
    VALUES ('m6', 'c2', 2, 'user', 'What is my budget?', 'complete', '2026-01-02T10:00:00.000Z', '2026-01-02T10:00:00.000Z');
INSERT INTO messages (id, conversation_id, seq, role, content, model, status, cost_usd, cost_source, created_at, updated_at, parent_id)
    VALUES ('m7', 'c2', 3, 'assistant', 'Ten dollars a day.', 'model/a', 'complete', 0.2, 'estimated',
            '2026-01-02T10:00:00.000Z', '2026-01-02T10:00:05.000Z', 'm6');
UPDATE messages SET created_at = '2026-01-03T10:00:00.000Z', model = 'model/c' WHERE id = 'm7';
UPDATE messages SET cost_source = 'reconciled' WHERE id = 'm7';
UPDATE messages SET model = NULL WHERE id = 'm4';
-- Bob: a question, an answer, and a regenerated answer beside it.
INSERT INTO messages (id, conversation_id, seq, role, content, status, created_at, updated_at)
    VALUES ('m8', 'c3', 1, 'user', 'Why is the sky blue?', 'complete', '2026-01-02T11:00:00.000Z', '2026-01-02T11:00:00.000Z');
INSERT INTO messages (id, conversation_id, seq, role, content, model, status, cost_usd, cost_source, created_at, updated_at, parent_id)
    VALUES ('m9', 'c3', 2, 'assistant', 'Rayleigh scattering.', 'model/a', 'complete', 0.0625, 'reported',
            '2026-01-02T11:00:00.000Z', '2026-01-02T11:00:01.000Z', 'm8');
INSERT INTO messages (id, conversation_id, seq, role, content, model, status, cost_usd, cost_source, created_at, updated_at, parent_id)
    VALUES ('m10', 'c3', 3, 'assistant', 'Short wavelengths scatter more.', 'model/b', 'complete', 0.03125, 'estimated',
            '2026-01-03T11:00:00.000Z', '2026-01-03T11:00:01.000Z', 'm8');
-- An update that touches no spend column, one that sets a spend column to its own value.
UPDATE messages SET updated_at = '2026-01-04T00:00:00.000Z' WHERE id = 'm9';
UPDATE messages SET cost_usd = cost_usd, model = model WHERE id = 'm9';
-- Bob deletes the regenerated answer, then the whole conversation.
DELETE FROM messages WHERE id = 'm10';
DELETE FROM conversations WHERE id = 'c3';
-- Bob's conversation comes back from an archive, imported by Alice: the answer's cost counts once, now hers.
INSERT INTO conversations (id, title, created_at, updated_at, owner_id)
    VALUES ('c3', 'Bob''s questions', '2026-01-02T11:00:00.000Z', '2026-01-02T11:00:00.000Z', 'u_alice');
INSERT INTO messages (id, conversation_id, seq, role, content, status, created_at, updated_at)
    VALUES ('m8', 'c3', 1, 'user', 'Why is the sky blue?', 'complete', '2026-01-02T11:00:00.000Z', '2026-01-02T11:00:00.000Z');
INSERT INTO messages (id, conversation_id, seq, role, content, model, status, cost_usd, cost_source, created_at, updated_at, parent_id)
    VALUES ('m9', 'c3', 2, 'assistant', 'Rayleigh scattering.', 'model/a', 'complete', 0.0625, 'reported',
            '2026-01-02T11:00:00.000Z', '2026-01-02T11:00:01.000Z', 'm8');
-- A kept cost corrected by hand.
UPDATE removed_spend SET cost_usd = 0.046875, cost_source = 'reported' WHERE message_id = 'm10';
-- portable operations end

DO $$
BEGIN
    PERFORM pg_temp.check_spend('streaming, finishing, reconciling, moving, deleting and re-importing answers');
    IF (SELECT count(*) FROM removed_spend) <> 1
       OR NOT EXISTS (SELECT 1 FROM removed_spend WHERE message_id = 'm10' AND conversation_id = 'c3' AND owner_id = 'u_bob'
                      AND model = 'model/b' AND cost_usd = 0.046875 AND created_at = '2026-01-03T11:00:00.000Z'
                      AND removed_at ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$') THEN
        RAISE EXCEPTION 'FAIL: removed_spend keeps the deleted answer m10 for Bob, and nothing of the re-imported m9: %',
            (SELECT string_agg(format('%s %s %s %s', message_id, owner_id, cost_usd, removed_at), '; ') FROM removed_spend);
    END IF;
    IF (SELECT cost_usd FROM spend_by_user_day WHERE user_id = 'u_bob' AND day = '2026-01-03') <> 0.046875
       OR (SELECT answers FROM spend_by_user_day WHERE user_id = 'u_bob' AND day = '2026-01-02') <> 0
       OR abs((SELECT cost_usd FROM spend_by_user_day WHERE user_id = 'u_alice' AND day = '2026-01-02') - 0.1625) > 1e-12 THEN
        RAISE EXCEPTION 'FAIL: spend per account follows the owner of the conversation at the time: %',
            (SELECT string_agg(format('%s %s %s %s', user_id, day, cost_usd, answers), '; ') FROM spend_by_user_day);
    END IF;
    IF (SELECT estimated_usd FROM spend_by_day WHERE day = '2026-01-03' AND model = 'model/c') <> 0
       OR (SELECT cost_usd FROM spend_by_day WHERE day = '2026-01-03' AND model = 'model/c') <> 0.2
       OR (SELECT answers FROM spend_by_day WHERE day = '2026-01-02' AND model = 'model/a') <> 1
       OR NOT EXISTS (SELECT 1 FROM spend_by_day WHERE day = '2026-01-01' AND model = '' AND cost_usd = 0.125) THEN
        RAISE EXCEPTION 'FAIL: spend_by_day moves a cost with its day, model and source: %',
            (SELECT string_agg(format('%s %s %s %s %s', day, model, cost_usd, answers, estimated_usd), '; ') FROM spend_by_day);
    END IF;
    RAISE NOTICE 'PASS: a deleted conversation''s spend stays with its owner; a re-imported answer counts once, for its new owner';
END $$;

DO $$
DECLARE
    before text;
    after text;
BEGIN
    SELECT string_agg(ctid::text, ',' ORDER BY day, model) INTO before FROM spend_by_day;
    before := before || '|' || (SELECT string_agg(ctid::text, ',' ORDER BY user_id, day) FROM spend_by_user_day);
    UPDATE messages SET updated_at = '2026-01-05T00:00:00.000Z', finish_reason = 'stop' WHERE id = 'm9';
    UPDATE messages SET cost_usd = cost_usd, cost_source = cost_source, created_at = created_at, model = model WHERE id = 'm9';
    UPDATE removed_spend SET removed_at = removed_at, cost_usd = cost_usd WHERE message_id = 'm10';
    SELECT string_agg(ctid::text, ',' ORDER BY day, model) INTO after FROM spend_by_day;
    after := after || '|' || (SELECT string_agg(ctid::text, ',' ORDER BY user_id, day) FROM spend_by_user_day);
    IF before <> after THEN
        RAISE EXCEPTION 'FAIL: an update that changes no cost, source, day or model leaves the totals unwritten';
    END IF;
    PERFORM pg_temp.check_spend('updates that change no spend column');
    RAISE NOTICE 'PASS: the update triggers'' WHEN conditions keep unchanged costs from rewriting the totals';
END $$;

DO $$
DECLARE
    deleted bigint;
BEGIN
    INSERT INTO conversations (id, title, created_at, updated_at, owner_id)
        VALUES ('c4', 'A branching talk', '2026-01-06T10:00:00.000Z', '2026-01-06T10:00:00.000Z', 'u_bob');
    INSERT INTO messages (id, conversation_id, seq, role, content, status, created_at, updated_at)
        VALUES ('b1', 'c4', 1, 'user', 'root', 'complete', '2026-01-06T10:00:00.000Z', '2026-01-06T10:00:00.000Z');
    INSERT INTO messages (id, conversation_id, seq, role, content, status, cost_usd, cost_source, created_at, updated_at, parent_id)
        VALUES ('b2', 'c4', 2, 'assistant', 'first answer', 'complete', 0.5, 'reported', '2026-01-06T10:00:00.000Z',
                '2026-01-06T10:00:00.000Z', 'b1'),
               ('b3', 'c4', 3, 'assistant', 'second answer', 'complete', 0.25, 'estimated', '2026-01-06T10:00:00.000Z',
                '2026-01-06T10:00:00.000Z', 'b1'),
               ('b4', 'c4', 4, 'user', 'follow-up', 'complete', NULL, NULL, '2026-01-06T10:00:00.000Z',
                '2026-01-06T10:00:00.000Z', 'b3');
    UPDATE conversations SET current_leaf_id = 'b4' WHERE id = 'c4';
    DELETE FROM conversations WHERE id = 'c4';
    GET DIAGNOSTICS deleted = ROW_COUNT;
    IF deleted <> 1 THEN RAISE EXCEPTION 'FAIL: deleting a conversation counts the conversation only: %', deleted; END IF;
    IF EXISTS (SELECT 1 FROM messages WHERE conversation_id = 'c4') THEN
        RAISE EXCEPTION 'FAIL: a deleted conversation''s messages go with it';
    END IF;
    IF (SELECT string_agg(message_id || ':' || owner_id, ',' ORDER BY message_id) FROM removed_spend WHERE conversation_id = 'c4')
       IS DISTINCT FROM 'b2:u_bob,b3:u_bob' THEN
        RAISE EXCEPTION 'FAIL: a deleted conversation''s priced answers keep their owner in removed_spend: %',
            (SELECT string_agg(message_id || ':' || owner_id, ',') FROM removed_spend WHERE conversation_id = 'c4');
    END IF;
    IF (SELECT cost_usd FROM spend_by_user_day WHERE user_id = 'u_bob' AND day = '2026-01-06') <> 0.75
       OR (SELECT estimated_usd FROM spend_by_user_day WHERE user_id = 'u_bob' AND day = '2026-01-06') <> 0.25 THEN
        RAISE EXCEPTION 'FAIL: the owner''s spend stays when the conversation is deleted';
    END IF;
    IF EXISTS (SELECT 1 FROM spend_by_user_day WHERE user_id = 'owner' AND day = '2026-01-06') THEN
        RAISE EXCEPTION 'FAIL: a deleted conversation''s spend moved to the owner account (its messages were deleted after it)';
    END IF;
    PERFORM pg_temp.check_spend('deleting a branching conversation');
    RAISE NOTICE 'PASS: a conversation''s messages are deleted before it (BEFORE DELETE), so their spend keeps its owner';
END $$;

-- 4. The message tree --------------------------------------------------------------------------------------------

CREATE FUNCTION pg_temp.expect_parent_refused(label text, statement text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    message text;
BEGIN
    EXECUTE statement;
    RAISE EXCEPTION 'FAIL: parent check refuses %: it was accepted', label;
EXCEPTION WHEN check_violation THEN
    GET STACKED DIAGNOSTICS message = MESSAGE_TEXT;
    IF message <> 'a message''s parent must be an earlier message of the same conversation' THEN
        RAISE EXCEPTION 'FAIL: parent check refuses % with SQLite''s text: %', label, message;
    END IF;
END $$;

DO $$
DECLARE
    message text;
BEGIN
    INSERT INTO conversations (id, title, created_at, updated_at)
        VALUES ('t1', 'tree one', '2026-01-07T00:00:00.000Z', '2026-01-07T00:00:00.000Z'),
               ('t2', 'tree two', '2026-01-07T00:00:00.000Z', '2026-01-07T00:00:00.000Z');
    INSERT INTO messages (id, conversation_id, seq, role, status, created_at, updated_at, parent_id) VALUES
        ('t1a', 't1', 1, 'user', 'complete', '2026-01-07T00:00:00.000Z', '2026-01-07T00:00:00.000Z', NULL),
        ('t1b', 't1', 2, 'assistant', 'complete', '2026-01-07T00:00:00.000Z', '2026-01-07T00:00:00.000Z', 't1a'),
        ('t1c', 't1', 3, 'user', 'complete', '2026-01-07T00:00:00.000Z', '2026-01-07T00:00:00.000Z', 't1b'),
        ('t2a', 't2', 1, 'user', 'complete', '2026-01-07T00:00:00.000Z', '2026-01-07T00:00:00.000Z', NULL);
    PERFORM pg_temp.expect_parent_refused('a parent in another conversation', $q$
        INSERT INTO messages (id, conversation_id, seq, role, status, created_at, updated_at, parent_id)
        VALUES ('x1', 't2', 2, 'assistant', 'complete', '', '', 't1a') $q$);
    PERFORM pg_temp.expect_parent_refused('a later parent', $q$
        INSERT INTO messages (id, conversation_id, seq, role, status, created_at, updated_at, parent_id)
        VALUES ('x2', 't1', 0, 'assistant', 'complete', '', '', 't1a') $q$);
    PERFORM pg_temp.expect_parent_refused('itself as parent', $q$
        INSERT INTO messages (id, conversation_id, seq, role, status, created_at, updated_at, parent_id)
        VALUES ('x3', 't1', 4, 'assistant', 'complete', '', '', 'x3') $q$);
    PERFORM pg_temp.expect_parent_refused('a parent that does not exist', $q$
        INSERT INTO messages (id, conversation_id, seq, role, status, created_at, updated_at, parent_id)
        VALUES ('x4', 't1', 4, 'assistant', 'complete', '', '', 'nobody') $q$);
    PERFORM pg_temp.expect_parent_refused('an update to a later parent', $q$
        UPDATE messages SET parent_id = 't1c' WHERE id = 't1b' $q$);
    PERFORM pg_temp.expect_parent_refused('an update of seq above the parent''s', $q$
        UPDATE messages SET seq = 0 WHERE id = 't1b' $q$);
    PERFORM pg_temp.expect_parent_refused('an update making a message its own parent', $q$
        UPDATE messages SET parent_id = id WHERE id = 't1b' $q$);
    PERFORM pg_temp.expect_parent_refused('a move to another conversation', $q$
        UPDATE messages SET conversation_id = 't2', seq = 5 WHERE id = 't1c' $q$);
    -- An earlier message of the same conversation is accepted, in one statement with its parent too.
    INSERT INTO messages (id, conversation_id, seq, role, status, created_at, updated_at, parent_id) VALUES
        ('t1d', 't1', 4, 'assistant', 'complete', '2026-01-07T00:00:00.000Z', '2026-01-07T00:00:00.000Z', 't1a'),
        ('t1e', 't1', 5, 'user', 'complete', '2026-01-07T00:00:00.000Z', '2026-01-07T00:00:00.000Z', 't1d');
    UPDATE messages SET parent_id = 't1a' WHERE id = 't1c';
    UPDATE messages SET content = 'x', status = 'complete' WHERE id = 't1c';  -- not a tree column: no check
    RAISE NOTICE 'PASS: the parent check refuses a parent in another conversation, a later one, itself, a missing one (SQLSTATE 23514, SQLite''s text) and accepts an earlier one';

    BEGIN
        DELETE FROM messages WHERE id = 't1a';
        RAISE EXCEPTION 'FAIL: a message whose children stay behind cannot be deleted';
    EXCEPTION WHEN foreign_key_violation THEN
        NULL;
    END;
    WITH RECURSIVE below(id, seq) AS (
        SELECT id, seq FROM messages WHERE id = 't1d' AND conversation_id = 't1'
        UNION ALL
        SELECT m.id, m.seq FROM messages m JOIN below ON m.parent_id = below.id AND m.seq > below.seq
    )
    DELETE FROM messages WHERE id IN (SELECT id FROM below);
    IF (SELECT string_agg(id, ',' ORDER BY seq) FROM messages WHERE conversation_id = 't1') <> 't1a,t1b,t1c' THEN
        RAISE EXCEPTION 'FAIL: a subtree is deleted in one statement: %',
            (SELECT string_agg(id, ',' ORDER BY seq) FROM messages WHERE conversation_id = 't1');
    END IF;
    RAISE NOTICE 'PASS: the parent key refuses orphans; a subtree goes in one recursive DELETE';
END $$;

-- 5. rowid ------------------------------------------------------------------------------------------------------

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM messages a JOIN messages b ON a.rowid < b.rowid
               WHERE a.conversation_id = b.conversation_id AND a.seq > b.seq) THEN
        RAISE EXCEPTION 'FAIL: rowid follows the order of insertion';
    END IF;
    IF (SELECT rowid FROM messages WHERE id = 'm9') < (SELECT max(rowid) FROM messages WHERE id IN ('m1', 'm2', 'm7')) THEN
        RAISE EXCEPTION 'FAIL: a re-inserted message gets a new, higher rowid';
    END IF;
    BEGIN
        INSERT INTO messages (rowid, id, conversation_id, seq, role, status, created_at, updated_at)
            VALUES (1, 'r1', 't2', 9, 'user', 'complete', '', '');
        RAISE EXCEPTION 'FAIL: rowid cannot be written';
    EXCEPTION WHEN generated_always THEN
        NULL;
    END;
    RAISE NOTICE 'PASS: messages.rowid is an identity in insertion order that no INSERT writes';
END $$;

-- 6. Search ---------------------------------------------------------------------------------------------------------

DO $$
BEGIN
    INSERT INTO conversations (id, title, created_at, updated_at)
        VALUES ('s1', 'Ocean currents', '2026-01-08T00:00:00.000Z', '2026-01-08T00:00:00.000Z');
    INSERT INTO messages (id, conversation_id, seq, role, content, status, created_at, updated_at)
        VALUES ('s1a', 's1', 1, 'user', 'Explain thermohaline circulation', 'complete', '2026-01-08T00:00:00.000Z', '');
    INSERT INTO messages (id, conversation_id, seq, role, model, status, created_at, updated_at, parent_id)
        VALUES ('s1b', 's1', 2, 'assistant', 'model/a', 'streaming', '2026-01-08T00:00:00.000Z', '', 's1a');
    IF (SELECT search FROM messages WHERE id = 's1a') IS NULL THEN
        RAISE EXCEPTION 'FAIL: a message stored complete is searchable at once';
    END IF;
    IF (SELECT search FROM messages WHERE id = 's1b') IS NOT NULL THEN
        RAISE EXCEPTION 'FAIL: a streaming answer is not indexed';
    END IF;
    UPDATE messages SET content = 'Salinity and temperature', reasoning = 'density' WHERE id = 's1b' AND status = 'streaming';
    IF (SELECT search FROM messages WHERE id = 's1b') IS NOT NULL
       OR EXISTS (SELECT 1 FROM messages WHERE search @@ to_tsquery('simple', 'salinity')) THEN
        RAISE EXCEPTION 'FAIL: a streaming answer''s flushes are not indexed';
    END IF;
    UPDATE messages SET status = 'complete', content = 'Salinity and temperature drive deep ocean currents',
        reasoning = 'density differences' WHERE id = 's1b';
    IF (SELECT array_agg(id ORDER BY id) FROM messages WHERE search @@ to_tsquery('simple', 'salinity & ocean')) <> ARRAY['s1b']
       OR NOT EXISTS (SELECT 1 FROM messages WHERE id = 's1b' AND search @@ to_tsquery('simple', 'densit:*')) THEN
        RAISE EXCEPTION 'FAIL: an answer is indexed, content and reasoning, when it leaves streaming';
    END IF;
    IF (SELECT search FROM messages WHERE id = 's1b')
       <> setweight(to_tsvector('simple', 'Salinity and temperature drive deep ocean currents'), 'A')
          || setweight(to_tsvector('simple', 'density differences'), 'B') THEN
        RAISE EXCEPTION 'FAIL: content is weighted A and reasoning B: %', (SELECT search FROM messages WHERE id = 's1b');
    END IF;
    UPDATE messages SET content = 'Wind drives surface currents' WHERE id = 's1b';
    IF EXISTS (SELECT 1 FROM messages WHERE search @@ to_tsquery('simple', 'salinity'))
       OR NOT EXISTS (SELECT 1 FROM messages WHERE id = 's1b' AND search @@ to_tsquery('simple', 'wind')) THEN
        RAISE EXCEPTION 'FAIL: a final message''s changed text replaces its old text in the index';
    END IF;
    UPDATE messages SET status = 'interrupted' WHERE id = 's1b';
    IF (SELECT search FROM messages WHERE id = 's1b') IS NULL THEN
        RAISE EXCEPTION 'FAIL: every final state is indexed (interrupted)';
    END IF;
    DELETE FROM messages WHERE id = 's1b';
    IF EXISTS (SELECT 1 FROM messages WHERE search @@ to_tsquery('simple', 'wind')) THEN
        RAISE EXCEPTION 'FAIL: a deleted message leaves the index';
    END IF;
    RAISE NOTICE 'PASS: messages are indexed only once they leave streaming, re-indexed when their text changes, gone when deleted';
END $$;

DO $$
DECLARE
    content_hit double precision;
    reasoning_hit double precision;
BEGIN
    INSERT INTO messages (id, conversation_id, seq, role, content, reasoning, status, created_at, updated_at) VALUES
        ('s1c', 's1', 3, 'assistant', 'upwelling brings nutrients', 'unrelated', 'complete', '2026-01-08T00:00:00.000Z', ''),
        ('s1d', 's1', 4, 'assistant', 'unrelated', 'upwelling brings nutrients', 'complete', '2026-01-08T00:00:00.000Z', '');
    SELECT ts_rank('{0, 0, 0.5, 1}', search, to_tsquery('simple', 'upwelling')) INTO content_hit FROM messages WHERE id = 's1c';
    SELECT ts_rank('{0, 0, 0.5, 1}', search, to_tsquery('simple', 'upwelling')) INTO reasoning_hit FROM messages WHERE id = 's1d';
    IF abs(content_hit - 2 * reasoning_hit) > 1e-6 OR reasoning_hit <= 0 THEN
        RAISE EXCEPTION 'FAIL: a word in the content ranks twice one in the reasoning: % and %', content_hit, reasoning_hit;
    END IF;
    RAISE NOTICE 'PASS: with weights {0, 0, 0.5, 1} a content match ranks twice a reasoning match';
END $$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM conversations WHERE id = 'c1' AND search @@ to_tsquery('simple', 'trap:*'))
       OR NOT EXISTS (SELECT 1 FROM conversations WHERE id = 'c3' AND search @@ to_tsquery('simple', 'bob')) THEN
        RAISE EXCEPTION 'FAIL: titles are searchable, by prefix too';
    END IF;
    UPDATE conversations SET title = 'Isosceles shapes' WHERE id = 'c1';
    IF EXISTS (SELECT 1 FROM conversations WHERE search @@ to_tsquery('simple', 'trapezoid'))
       OR NOT EXISTS (SELECT 1 FROM conversations WHERE id = 'c1' AND search @@ to_tsquery('simple', 'isosceles')) THEN
        RAISE EXCEPTION 'FAIL: a new title replaces the old one in the index';
    END IF;
    RAISE NOTICE 'PASS: conversation titles are searchable and follow a change of title';
END $$;

-- A text whose vector would pass PostgreSQL's 1 MB limit is still stored, indexed from its beginning.
DO $$
DECLARE
    huge text := (SELECT string_agg(md5(i::text), ' ') FROM generate_series(1, 60000) i);
BEGIN
    INSERT INTO messages (id, conversation_id, seq, role, content, reasoning, status, created_at, updated_at)
        VALUES ('big', 's1', 5, 'user', 'firstword ' || huge, huge, 'complete', '2026-01-08T00:00:00.000Z', '');
    IF NOT EXISTS (SELECT 1 FROM messages WHERE id = 'big' AND search @@ to_tsquery('simple', 'firstword')) THEN
        RAISE EXCEPTION 'FAIL: a 2 MB message is stored and its beginning searchable';
    END IF;
    UPDATE conversations SET title = huge WHERE id = 's1';
    IF NOT EXISTS (SELECT 1 FROM conversations WHERE id = 's1' AND search @@ to_tsquery('simple', md5('1'))) THEN
        RAISE EXCEPTION 'FAIL: a 2 MB title is stored and its beginning searchable';
    END IF;
    RAISE NOTICE 'PASS: texts past the 1 MB limit of a tsvector are stored, indexed from their beginnings';
END $$;

-- What the search columns rely on: PostgreSQL computes a stored generated column when a row is inserted and when an
-- UPDATE sets a column it is computed from, not when an UPDATE sets only other columns (a reconciled cost, a
-- flush's updated_at), and the CASE skips the work for a streaming row.
CREATE FUNCTION pg_temp.counted(content text) RETURNS tsvector LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM set_config('checks.computed', (coalesce(nullif(current_setting('checks.computed', true), ''), '0')::int + 1)::text, false);
    RETURN to_tsvector('simple', content);
END $$;
CREATE TEMP TABLE generated_probe (
    id int PRIMARY KEY, content text, status text, cost double precision,
    search tsvector GENERATED ALWAYS AS (CASE WHEN status <> 'streaming' THEN pg_temp.counted(content) END) STORED
);
DO $$
DECLARE
    counts text := '';
BEGIN
    PERFORM set_config('checks.computed', '0', false);
    INSERT INTO generated_probe (id, content, status) VALUES (1, 'partial', 'streaming');
    counts := counts || current_setting('checks.computed');
    UPDATE generated_probe SET content = 'partial answer' WHERE id = 1;
    counts := counts || current_setting('checks.computed');
    UPDATE generated_probe SET content = 'whole answer', status = 'complete' WHERE id = 1;
    counts := counts || current_setting('checks.computed');
    UPDATE generated_probe SET cost = 0.5 WHERE id = 1;
    counts := counts || current_setting('checks.computed');
    IF counts <> '0011' THEN
        RAISE EXCEPTION 'FAIL: a generated column is computed only when a column it reads is set and the row is final (counts %)', counts;
    END IF;
    RAISE NOTICE 'PASS: a streaming flush and a later cost compute no search vector; the end of the stream computes one';
END $$;

DO $$ BEGIN RAISE NOTICE 'ALL CHECKS PASSED'; END $$;
