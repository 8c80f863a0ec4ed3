#!/usr/bin/env python3
"""Does the cost reconciliation add time to a turn? Answers with the upstream's usage (fake/lorem: reported)
against answers without it (fake/no-usage: estimated at the end of the turn, then reconciled in the background
from the fake's /generation): time to first token and time to `done` per turn, and the whole appliance's CPU per
turn over the turns plus the reconciliations that follow them.

The fake sends 50 tokens, the first after 100 ms, then one every 20 ms. Each model runs ROUNDS rounds of
CONCURRENCY turns at once, alternating the two models round by round so both see the same machine. All traffic
stays on 127.0.0.1.

Usage: bench/reconcile_bench.py --app BIN --fake BIN [--rounds 10] [--concurrency 10]
"""
import argparse, http.client, json, os, shutil, sqlite3, sys, tempfile, threading, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "support"))
from ntharness import Appliance, FakeUpstream, cpu_seconds, pct  # noqa: E402


def turn(port, model):
    """One chat turn; (seconds to the first delta, seconds to done)."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", "/api/chat", json.dumps({"message": "bench", "model": model}), {"Content-Type": "application/json"})
    resp = conn.getresponse()
    first = None
    for line in resp:
        if first is None and line.startswith(b"event: delta"):
            first = time.perf_counter() - start
        if line.startswith(b"event: done"):
            break
    done = time.perf_counter() - start
    conn.close()
    return first, done


def round_of(port, model, n):
    results = [None] * n
    def run(i):
        results[i] = turn(port, model)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads: t.start()
    for t in threads: t.join()
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", required=True)
    ap.add_argument("--fake", required=True)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--concurrency", type=int, default=10)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="reconcile-bench-")
    fake = FakeUpstream(args.fake, tokens=50, token_delay_ms=20, ttft_ms=100)
    appl = Appliance(args.app, fake.port, work, "bench", {"limits.chat_requests_per_minute": 0, "limits.api_requests_per_minute": 0})
    try:
        appl.start()
        stats = {m: {"ttft": [], "done": [], "cpu": 0.0} for m in ("fake/lorem", "fake/no-usage")}
        for _ in range(args.rounds):
            for model in stats:
                pids = appl.pids
                cpu0 = cpu_seconds(pids)
                for first, done in round_of(appl.web, model, args.concurrency):
                    stats[model]["ttft"].append(first * 1000)
                    stats[model]["done"].append(done * 1000)
                # The reconciliations of this round run 2 s after their turns: wait for them inside the window.
                time.sleep(3)
                stats[model]["cpu"] += cpu_seconds(pids) - cpu0
        db = sqlite3.connect(appl.db)
        sources = dict(db.execute("SELECT COALESCE(cost_source, 'none'), COUNT(*) FROM messages WHERE role = 'assistant' GROUP BY 1"))
        turns = args.rounds * args.concurrency
        print(f"{turns} turns per model, {args.concurrency} at once; load average {os.getloadavg()[0]:.2f}")
        print(f"{'model':<15} {'TTFT p50/p99 ms':>17} {'done p50/p99 ms':>17} {'CPU/turn ms (incl. reconciliation)':>36}")
        for model, s in stats.items():
            print(f"{model:<15} {pct(sorted(s['ttft']), 50):>8.1f} / {pct(sorted(s['ttft']), 99):>6.1f} "
                  f"{pct(sorted(s['done']), 50):>8.1f} / {pct(sorted(s['done']), 99):>6.1f} {s['cpu'] * 1000 / turns:>36.2f}")
        print(f"answers by cost source: {sources}")
    finally:
        appl.stop()
        fake.stop()
        shutil.rmtree(work, ignore_errors=True)


main()
