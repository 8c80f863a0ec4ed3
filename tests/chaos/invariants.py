"""The promises checked after every scenario, from the client's ledger, the database file and the log:
every user message the client got a 200 stream for is stored; no answer is left `streaming`; an answer the
client was told is complete is stored complete with the very text it received; no 5xx but the documented 503 and
507; `PRAGMA integrity_check` is ok; every log line is a JSON object."""
import collections
import json
import sqlite3

# The only server errors the API may answer with (docs/incident-response.md): a storage condition of the host,
# the open circuit breaker, a drain.
ALLOWED_5XX = {503: {"storage_busy", "storage_unavailable", "circuit_open", "draining"}, 507: {"storage_full"}}


def read_only(db):
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=15)


def streaming_rows(db):
    with read_only(db) as con:
        return con.execute("SELECT count(*) FROM messages WHERE status = 'streaming'").fetchone()[0]


def answers(db):
    """{assistant message id: (status, content, error)}."""
    with read_only(db) as con:
        return {row[0]: row[1:] for row in con.execute(
            "SELECT id, status, content, error FROM messages WHERE role = 'assistant'")}


def http_failures(ledger):
    """The 5xx answers outside ALLOWED_5XX, grouped, with an example each."""
    bad = collections.defaultdict(list)
    for reply in ledger.replies:
        if reply.status and reply.status >= 500 and reply.code not in ALLOWED_5XX.get(reply.status, ()):
            bad[(reply.status, reply.code)].append(reply)
    return [f"HTTP {status} {code} × {len(replies)} (e.g. {replies[0].describe()}: {replies[0].body[:200]!r})"
            for (status, code), replies in bad.items()]


def database_failures(db, ledger):
    """Failures of the database promises, and one line of figures."""
    failures = []
    con = read_only(db)
    try:
        integrity = [row[0] for row in con.execute("PRAGMA integrity_check")]
        stored_users = {row[0] for row in con.execute("SELECT content FROM messages WHERE role = 'user'")}
        streaming = con.execute("SELECT count(*) FROM messages WHERE status = 'streaming'").fetchone()[0]
        rows = {row[0]: row[1:] for row in con.execute(
            "SELECT id, status, content FROM messages WHERE role = 'assistant'")}
    finally:
        con.close()
    if integrity != ["ok"]:
        failures.append(f"PRAGMA integrity_check: {integrity[:5]}")
    accepted = [t for t in ledger.turns if t.status == 200]
    lost = [t for t in accepted if t.marker not in stored_users]
    if lost:
        failures.append(f"{len(lost)} of {len(accepted)} user messages answered 200 are not stored "
                        f"(e.g. {lost[0].marker!r}, {lost[0].describe()})")
    if streaming:
        failures.append(f"{streaming} answers left status 'streaming'")
    told_complete = [t for t in accepted if t.done == "complete"]
    wrong = [t for t in told_complete if rows.get(t.assistant_id, (None, None)) != ("complete", t.text)]
    if wrong:
        t = wrong[0]
        status, content = rows.get(t.assistant_id, ("missing", ""))
        failures.append(
            f"{len(wrong)} of {len(told_complete)} answers the client was told were complete are not stored as "
            f"received (e.g. {t.assistant_id}: client got {len(t.text)} characters and done complete; the row is "
            f"{status!r} with {len(content or '')} characters)")
    figures = (f"{len(stored_users & {t.marker for t in accepted})}/{len(accepted)} user messages stored, "
               f"{len(told_complete)} complete answers checked, {streaming} streaming, integrity {integrity[0]}")
    return failures, figures


# Lines a worker prints for a test-only fault (NEURAL_TERMINAL_FAULT) before its log starts; not product output.
FAULT_LINE = "fault injected:"


def log_failures(path):
    """Lines of the appliance's output that are not JSON objects (the incident guide filters the log with jq)."""
    bad = []
    try:
        with open(path, errors="replace") as f:
            for number, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith(FAULT_LINE):
                    continue
                try:
                    if not isinstance(json.loads(line), dict):
                        bad.append((number, line))
                except ValueError:
                    bad.append((number, line))
    except FileNotFoundError:
        return []
    if not bad:
        return []
    return [f"{len(bad)} log lines are not JSON, e.g. line {bad[0][0]}: {bad[0][1][:200]!r}"]
