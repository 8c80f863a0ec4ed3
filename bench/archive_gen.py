#!/usr/bin/env python3
"""Fills a migrated Neural Terminal database with synthetic conversations for bench/archive_bench.sh.

Deterministic (seeded): N conversations of M messages (alternating user/assistant), text drawn from a
5,000-word vocabulary with a Zipf-like distribution so that searches hit common, middling and rare words.
Writes straight into the tables, in the shape the appliance writes: each message under the one before it, the last
one the conversation's current leaf, every cost as reported by the upstream; the full-text triggers index every
message as the appliance would. (Without the parents, the leaf and the cost source, the export/import round trip of
bench/archive_bench.sh differed in exactly those fields, which the import fills in.)
"""
import argparse
import random
import sqlite3

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "bra", "pla", "qui", "dor", "fen", "gal", "hus",
             "jin", "mor", "nex", "pyr", "str", "tal", "urb", "wex", "yon"]


def vocabulary(rng, size=5000):
    words, seen = [], set()
    while len(words) < size:
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def main():
    p = argparse.ArgumentParser()
    p.add_argument("db")
    p.add_argument("--conversations", type=int, default=10_000)
    p.add_argument("--messages", type=int, default=20)
    p.add_argument("--seed", type=int, default=4)
    a = p.parse_args()
    rng = random.Random(a.seed)
    words = vocabulary(rng)
    weights = [1.0 / (rank + 1) for rank in range(len(words))]
    cumulative = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)

    def text(n):
        return " ".join(rng.choices(words, cum_weights=cumulative, k=n))

    db = sqlite3.connect(a.db)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    statuses = ["complete"] * 16 + ["stopped", "error", "interrupted", "complete"]
    with db:
        for c in range(a.conversations):
            cid = f"{c:08x}-0000-4000-8000-{rng.getrandbits(48):012x}"
            day = 1 + c % 28
            created = f"2026-{1 + c % 11:02d}-{day:02d}T{c % 24:02d}:00:00.000Z"
            db.execute("INSERT INTO conversations (id, title, model, system_prompt, created_at, updated_at) VALUES (?,?,?,?,?,?)",
                       (cid, text(rng.randint(2, 6)).capitalize(), "openai/gpt-4o", None if c % 3 else "Be helpful.", created, created))
            rows = []
            parent = None
            for m in range(a.messages):
                user = m % 2 == 0
                status = "complete" if user else rng.choice(statuses)
                mid = f"{c:08x}-{m:04x}-4000-8000-{rng.getrandbits(48):012x}"
                rows.append((
                    mid, cid, m + 1, "user" if user else "assistant",
                    text(rng.randint(5, 40) if user else rng.randint(40, 160)),
                    "" if user or rng.random() < 0.7 else text(rng.randint(20, 60)),
                    None if user else "openai/gpt-4o", status, None if user else "stop",
                    None if user else rng.randint(50, 4000), None if user else rng.randint(20, 1200),
                    None if user else rng.randint(0, 300), None if user else rng.randint(0, 50),
                    None if user else round(rng.random() / 100, 8), None if user else rng.randint(80, 2000),
                    None if user else rng.randint(500, 30000), None if user else f"gen-{rng.getrandbits(40):010x}",
                    f"req-{c:06d}-{m:03d}", "upstream_502: model down" if status == "error" else None, created, created,
                    parent, None if user else "reported",
                ))
                parent = mid
            db.executemany("""INSERT INTO messages (id, conversation_id, seq, role, content, reasoning, model, status,
                finish_reason, prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens, cost_usd, ttft_ms,
                duration_ms, generation_id, request_id, error, created_at, updated_at, parent_id, cost_source)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", rows)
            db.execute("UPDATE conversations SET current_leaf_id = ? WHERE id = ?", (parent, cid))
    with open(a.db + ".words", "w") as f:
        f.write("\n".join(words))
    db.close()


if __name__ == "__main__":
    main()
