#!/usr/bin/env python3
"""The chat turn under load: added time to first token, CPU per relayed stream, peak RSS and idle CPU.

Starts the fake OpenRouter (50 tokens, the first after 100 ms, then one every 20 ms) and the appliance (release
build) on loopback ports, then for each database state (fresh, and one holding HISTORY messages inserted before
the appliance starts) and each concurrency level N opens N streams at once, first straight to the fake, then
through the appliance's /api/chat, in the same run. "Added" is the appliance's percentile minus the direct one at
the same concurrency; the ratio is the appliance's percentile over the direct one. CPU per stream is the whole
appliance's CPU time (supervisor and workers, user + system, from /proc) during the appliance phase, divided by N;
"cores used" is that CPU time over the phase's wall time. Peak memory is sampled every 50 ms as RSS and as PSS,
each summed over the four processes (RSS counts the shared binary once per process).
Each level runs RUNS times; the table shows the median of the runs' figures. Every load is bounded in count and
time, and every connection stays on 127.0.0.1.

With --postgres-levels (default 50), the same measurement runs once more with the appliance on a throwaway
PostgreSQL 15 (storage.url; tests/support/pgharness.py) on a fresh database, beside SQLite's rows.

Usage: bench/turn_bench.py --app BIN --fake BIN [--levels 1,50,500,2000] [--runs 3] [--history 100000]
                           [--postgres-levels 50]
"""
import argparse, asyncio, json, os, re, resource, shutil, sqlite3, statistics, sys, tempfile, time, uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "support"))
from ntharness import Appliance, FakeUpstream, cpu_seconds, memory_mb, pct  # noqa: E402
import pgharness  # noqa: E402

SETTINGS = {
    "log.level": "warning",
    "limits.api_requests_per_minute": 0,
    "limits.chat_requests_per_minute": 0,
    "memory.limit_mb": 2048,
    "budget.daily_usd": 1000000.0,
    "budget.monthly_usd": 10000000.0,
}


async def one_stream(port, path, body, marker, timeout):
    start = time.perf_counter()
    ttft, seen = None, b""
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    payload = json.dumps(body).encode()
    writer.write(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode() + payload)
    ok, done = False, False
    deadline = start + timeout
    try:
        status = await asyncio.wait_for(reader.readline(), timeout)
        ok = b" 200 " in status
        while True:
            chunk = await asyncio.wait_for(reader.read(65536), max(0.01, deadline - time.perf_counter()))
            if not chunk:
                break
            seen = (seen + chunk)[-4096:]
            if ttft is None and marker.search(seen):
                ttft = time.perf_counter() - start
            if b'"status":"complete"' in seen or b"data: [DONE]" in seen:
                done = True
    finally:
        writer.close()
    return ttft, ok and done and ttft is not None


DIRECT = re.compile(rb'"content":"[^"]')
THROUGH = re.compile(rb"event: delta")


async def wave(n, port, path, body, marker, timeout):
    outcomes = await asyncio.gather(*[one_stream(port, path, body, marker, timeout) for _ in range(n)],
                                    return_exceptions=True)
    ttfts = sorted(o[0] * 1000 for o in outcomes if not isinstance(o, BaseException) and o[0] is not None)
    errors = sum(1 for o in outcomes if isinstance(o, BaseException) or not o[1])
    return ttfts, errors


def seed(db_path, count):
    """Inserts `count` messages (half of them priced answers, spread over this month's days so far) in
    conversations of 10, as a long-used appliance would hold them."""
    db = sqlite3.connect(db_path)
    now = time.gmtime()
    month = time.strftime("%Y-%m", now)
    rows, convs = [], []
    for c in range(count // 10):
        cid = str(uuid.uuid4())
        day = 1 + c % now.tm_mday
        stamp = f"{month}-{day:02d}T{c % 24:02d}:00:00.000Z"
        convs.append((cid, f"history {c}", "fake/lorem", stamp, stamp))
        for i in range(10):
            answer = i % 2 == 1
            rows.append((str(uuid.uuid4()), cid, i, "assistant" if answer else "user",
                         f"lorem ipsum dolor sit amet {c} {i} " * 8, "fake/lorem" if answer else None, "complete",
                         "stop" if answer else None, 20 if answer else None, 50 if answer else None,
                         0.00012 if answer else None, stamp, stamp))
    with db:
        db.executemany("INSERT INTO conversations (id, title, model, created_at, updated_at) VALUES (?,?,?,?,?)", convs)
        db.executemany("""INSERT INTO messages (id, conversation_id, seq, role, content, model, status, finish_reason,
            prompt_tokens, completion_tokens, cost_usd, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                       rows)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


async def measure_level(appl, fake_port, n, timeout):
    # /proc counts CPU in 10 ms ticks: below 20 streams each wave is repeated (one after another) until 20 streams
    # have run, straight to the fake and through the appliance alike, so the CPU per stream is not one tick
    # divided by one stream.
    waves = max(1, -(-20 // n))
    direct, derr = [], 0
    for _ in range(waves):
        ttfts, errors = await wave(n, fake_port, "/api/v1/chat/completions",
                                   {"model": "fake/lorem", "stream": True, "messages": [{"role": "user", "content": "bench"}]},
                                   DIRECT, timeout)
        direct, derr = sorted(direct + ttfts), derr + errors
    pids = appl.pids
    peak, peak_pss, sampling = 0.0, 0.0, True

    async def sampler():
        nonlocal peak, peak_pss
        while sampling:
            rss, pss = memory_mb(pids)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            await asyncio.sleep(0.05)

    task = asyncio.create_task(sampler())
    cpu0, t0 = cpu_seconds(pids), time.perf_counter()
    through, aerr = [], 0
    for _ in range(waves):
        ttfts, errors = await wave(n, appl.web, "/api/chat", {"message": "bench", "model": "fake/lorem"}, THROUGH, timeout)
        through, aerr = sorted(through + ttfts), aerr + errors
    wall = time.perf_counter() - t0
    cpu = cpu_seconds(pids) - cpu0
    n *= waves
    sampling = False
    await task
    return {
        "direct50": pct(direct, 50), "direct99": pct(direct, 99), "appl50": pct(through, 50), "appl99": pct(through, 99),
        "added50": pct(through, 50) - pct(direct, 50), "added99": pct(through, 99) - pct(direct, 99),
        "ratio99": pct(through, 99) / pct(direct, 99) if direct else float("nan"),
        "errors": derr + aerr, "appl_errors": aerr, "cpu_ms": cpu * 1000 / n, "cores": cpu / wall, "rss": peak, "pss": peak_pss,
    }


def idle_cpu(appl, seconds):
    pids = appl.pids
    time.sleep(3)
    c0, t0 = cpu_seconds(pids), time.perf_counter()
    time.sleep(seconds)
    return (cpu_seconds(pids) - c0) / (time.perf_counter() - t0) * 100


def median(runs, key):
    return statistics.median(r[key] for r in runs)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", required=True)
    ap.add_argument("--fake", required=True)
    ap.add_argument("--levels", default="1,50,500,2000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--history", type=int, default=100000)
    ap.add_argument("--idle-seconds", type=float, default=20)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--tokens", type=int, default=50, help="tokens per answer (50 in the reported table)")
    ap.add_argument("--postgres-levels", default="50", help="levels measured on PostgreSQL; empty: none")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    work = tempfile.mkdtemp(prefix="turn-bench-")
    fake = FakeUpstream(args.fake, tokens=args.tokens, token_delay_ms=20, ttft_ms=100)
    fake_port = fake.port
    try:
        levels = [int(x) for x in args.levels.split(",")]
        print(f"fake upstream: {args.tokens} tokens, first after 100 ms, then every 20 ms; {args.runs} runs per level, medians; "
              f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.2f}")
        header = (f"{'database':<16} {'streams':>7} {'direct p50/p99 ms':>18} {'added p50/p99 ms':>17} {'p99 ratio':>9} "
                  f"{'errors':>6} {'CPU/stream ms':>13} {'cores used':>10} {'peak RSS MB':>11} {'peak PSS MB':>11}")
        cases = [("fresh", 0, levels), (f"{args.history:,} msgs", args.history, levels)]
        if args.postgres_levels:
            cases.append(("postgres fresh", -1, [int(x) for x in args.postgres_levels.split(",")]))
        for name, history, case_levels in cases:
            cluster = None
            settings, env = dict(SETTINGS), {}
            if history < 0:
                cluster = pgharness.PostgresCluster()
                settings["storage.url"] = cluster.create_database("bench")
                env["NEURAL_TERMINAL_DATABASE_PASSWORD"] = pgharness.PASSWORD
            appl = Appliance(args.app, fake_port, work, name.split()[0] if history <= 0 else "history", settings, env=env)
            appl.start()
            if history > 0:
                appl.stop()
                seed(os.path.join(appl.data, "neural-terminal.db"), history)
                appl.start()
            idle = idle_cpu(appl, args.idle_seconds)
            print(f"\n## {name}: idle CPU {idle:.3f} % of a core over {args.idle_seconds:.0f} s")
            print(header, flush=True)
            for n in case_levels:
                runs = [await measure_level(appl, fake_port, n, args.timeout) for _ in range(args.runs)]
                print(f"{name:<16} {n:>7} {median(runs, 'direct50'):>8.1f} / {median(runs, 'direct99'):>6.1f} "
                      f"{median(runs, 'added50'):>8.1f} / {median(runs, 'added99'):>6.1f} {median(runs, 'ratio99'):>8.3f}x "
                      f"{sum(r['errors'] for r in runs):>6} {median(runs, 'cpu_ms'):>13.2f} {median(runs, 'cores'):>10.2f} "
                      f"{max(r['rss'] for r in runs):>11.1f} {max(r['pss'] for r in runs):>11.1f}", flush=True)
            appl.stop()
            if cluster:
                cluster.stop()
    finally:
        fake.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


asyncio.run(main())
