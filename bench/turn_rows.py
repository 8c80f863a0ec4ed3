#!/usr/bin/env python3
"""The chat turn's rows alone: the SQL a turn runs on SQLite, timed per turn, on a fresh database and on one holding
HISTORY messages, with random (version 4) and with time-ordered (version 7) ids.

The appliance (--app) creates each database with its own schema and stops; the statements then run in Python's
sqlite3 (the same SQLite release the static binary links), as the web worker runs them: a group of GROUP turn
starts in one transaction (a new conversation, its user message, the streaming answer, the conversation's leaf),
three progress saves, then the group's answers finished in one transaction. Each figure is the median over ROUNDS
groups, in microseconds per turn; "worst" is the slowest group's. Comparing two binaries compares their schemas.

Usage: bench/turn_rows.py --app BIN --fake BIN [--history 100000] [--rounds 30] [--group 50]
"""
import argparse, os, shutil, sqlite3, statistics, sys, tempfile, time, uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "support"))
from ntharness import Appliance, FakeUpstream  # noqa: E402
from turn_bench import SETTINGS, seed  # noqa: E402

INSERT = """INSERT INTO messages (id, conversation_id, seq, role, content, model, status, request_id, worker_pid, created_at,
    updated_at, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
FINISH = """UPDATE messages SET status = 'complete', content = ?, reasoning = '', finish_reason = 'stop', prompt_tokens = 20,
    completion_tokens = 50, cost_usd = 0.0001, ttft_ms = 100, duration_ms = 1000, worker_pid = NULL, updated_at = ?,
    cost_source = 'reported' WHERE id = ?"""


def uuid7():
    b = bytearray((time.time_ns() // 1_000_000).to_bytes(6, "big") + os.urandom(10))
    b[6] = (b[6] & 0x0F) | 0x70
    b[8] = (b[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(b)))


def measure(path, make_id, rounds, group):
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON"):
        db.execute("PRAGMA " + pragma)
    text = "lorem ipsum dolor sit amet " * 10
    begin, progress, finish = [], [], []
    for _ in range(rounds):
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        t0, answers = time.perf_counter(), []
        db.execute("BEGIN IMMEDIATE")
        for _ in range(group):
            cid, user, answer = make_id(), make_id(), make_id()
            db.execute("INSERT INTO conversations (id, title, model, created_at, updated_at, owner_id) VALUES (?, 't', 'fake/lorem', ?, ?, 'owner')",
                       (cid, now, now))
            db.execute("SELECT (SELECT 1 FROM conversations WHERE id = ?1), (SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE conversation_id = ?1)",
                       (cid,)).fetchall()
            db.execute(INSERT, (user, cid, 1, "user", "a question " * 5, None, "complete", "r", None, now, now, None))
            db.execute(INSERT, (answer, cid, 2, "assistant", "", "fake/lorem", "streaming", "r", 1, now, now, user))
            db.execute("UPDATE conversations SET updated_at = ?, current_leaf_id = ? WHERE id = ?", (now, answer, cid))
            answers.append(answer)
        db.execute("COMMIT")
        begin.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for k in range(3):
            db.execute("BEGIN IMMEDIATE")
            for answer in answers:
                db.execute("UPDATE messages SET content = ?, updated_at = ? WHERE id = ? AND status = 'streaming'", (text[:50 * (k + 1)], now, answer))
            db.execute("COMMIT")
        progress.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        for answer in answers:
            db.execute(FINISH, (text, now, answer))
        db.execute("COMMIT")
        finish.append(time.perf_counter() - t0)
    db.close()
    per_turn = lambda xs: f"{statistics.median(xs) / group * 1e6:5.0f} (worst {max(xs) / group * 1e6:4.0f})"
    return f"start {per_turn(begin)}   3 saves {per_turn(progress)}   finish {per_turn(finish)}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", required=True)
    ap.add_argument("--fake", required=True)
    ap.add_argument("--history", type=int, default=100000)
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--group", type=int, default=50)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="nt-turn-rows-")
    fake = FakeUpstream(args.fake)
    try:
        made = {}
        for name, count in [("fresh", 0), (f"{args.history:,} msgs", args.history)]:
            appl = Appliance(args.app, fake.port, work, f"db{count}", SETTINGS)
            try:
                appl.start()
                appl.stop()
            except Exception:
                appl.kill_tree()
                raise
            if count:
                seed(appl.db, count)
            made[name] = appl.db
        print(f"SQLite {sqlite3.sqlite_version}; {args.group} turns per group, median of {args.rounds} groups, µs per turn")
        for name, path in made.items():
            for label, make_id in [("random ids (v4)", lambda: str(uuid.uuid4())), ("time-ordered ids (v7)", uuid7)]:
                copy = os.path.join(work, "copy.db")
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(copy + suffix):
                        os.remove(copy + suffix)
                shutil.copy(path, copy)
                print(f"{name:>12}, {label:<22} {measure(copy, make_id, args.rounds, args.group)}", flush=True)
    finally:
        fake.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
