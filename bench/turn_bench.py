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

"turns/s" is the answers completed through the appliance over the appliance phase's wall time.

With --postgres-levels (default 50), the same measurement runs again on a throwaway PostgreSQL 15 (storage.url;
tests/support/pgharness.py), beside SQLite's rows: once per count in --postgres-instances (default 1,2), that many
appliances (instance.name a, b, ...; their own ports and data directories) on one fresh database, the streams
dealt out evenly between them, each client connecting to its appliance directly (bench/turn_streams.py). CPU and
memory are the appliances' summed; PostgreSQL's own CPU per stream is printed under its rows. --only sqlite or
--only postgres measures just those rows. Whatever was started is stopped on the way out, on an error or SIGTERM too.

Usage: bench/turn_bench.py --app BIN --fake BIN [--levels 1,50,500,2000] [--runs 3] [--history 100000 (0: none)]
                           [--postgres-levels 50] [--postgres-instances 1,2] [--only all|sqlite|postgres]
"""
import argparse, asyncio, os, resource, shutil, signal, sqlite3, sys, tempfile, time, uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "support"))
from ntharness import Appliance, FakeUpstream, cpu_seconds  # noqa: E402
import pgharness  # noqa: E402
from turn_report import HEADER, log_summary, median, row  # noqa: E402
from turn_streams import measure_level  # noqa: E402

SETTINGS = {
    "log.level": "warning",
    "limits.api_requests_per_minute": 0,
    "limits.chat_requests_per_minute": 0,
    "memory.limit_mb": 2048,
    "budget.daily_usd": 1000000.0,
    "budget.monthly_usd": 10000000.0,
}


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


def idle_cpu(appls, seconds):
    pids = [p for a in appls for p in a.pids]
    time.sleep(3)
    c0, t0 = cpu_seconds(pids), time.perf_counter()
    time.sleep(seconds)
    return (cpu_seconds(pids) - c0) / (time.perf_counter() - t0) * 100


def sqlite_appliance(args, fake_port, work, history):
    """One appliance on SQLite, not started."""
    return Appliance(args.app, fake_port, work, "history" if history else "fresh", SETTINGS)


def start_sqlite(appl, history):
    """Starts the appliance, on a database seeded with `history` messages when that is not 0."""
    appl.start()
    if history:
        appl.stop()
        seed(appl.db, history)
        appl.start()


def postgres_appliances(args, fake_port, work, cluster, count):
    """`count` appliances, not started (instance.name a, b, ...), with their own ports and data directories on one
    fresh database of `cluster`."""
    settings = dict(SETTINGS, **{"storage.url": cluster.create_database(f"bench{count}")})
    env = {"NEURAL_TERMINAL_DATABASE_PASSWORD": pgharness.PASSWORD}
    return [Appliance(args.app, fake_port, work, f"pg{count}-{letter}", dict(settings, **{"instance.name": letter}), env=env)
            for letter in "abcdefgh"[:count]]


def stop_all(appls):
    """SIGTERM to each appliance; one that does not stop in time (or at all) loses its whole tree to SIGKILL."""
    for appl in appls:
        try:
            appl.stop()
        except Exception:
            appl.kill_tree()


async def measure_case(args, fake_port, name, appls, levels, notes, database_pids=None):
    idle = idle_cpu(appls, args.idle_seconds)
    both = f" (the {len(appls)} appliances together)" if len(appls) > 1 else ""
    print(f"\n## {name}: idle CPU {idle:.3f} % of a core over {args.idle_seconds:.0f} s{both}")
    for note in notes:
        print(note)
    print(HEADER, flush=True)
    database_cpu = []
    for n in levels:
        runs = [await measure_level(appls, fake_port, n, args.timeout, database_pids() if database_pids else ())
                for _ in range(args.runs)]
        print(row(name, n, runs), flush=True)
        database_cpu.append(f"{median(runs, 'db_cpu_ms'):.2f} ms at {n}")
    if database_pids:
        print(f"PostgreSQL's own processes, CPU per stream (not in the rows): {', '.join(database_cpu)}")
    print(log_summary(appls))


def arguments():
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
    ap.add_argument("--postgres-instances", default="1,2", help="how many appliances share the PostgreSQL database, per row")
    ap.add_argument("--only", choices=["all", "sqlite", "postgres"], default="all", help="which databases' rows to measure")
    return ap.parse_args()


async def main(args, work, running):
    """Measures every case with its files under `work`; what it starts goes into `running` (the fake, the PostgreSQL
    cluster, appliances) so the caller stops it whatever happens."""
    fake = FakeUpstream(args.fake, tokens=args.tokens, token_delay_ms=20, ttft_ms=100)
    running.append(fake)
    levels = [int(x) for x in args.levels.split(",")]
    print(f"fake upstream: {args.tokens} tokens, first after 100 ms, then every 20 ms; {args.runs} runs per level, medians; "
          f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.2f}")
    print("turns/s: the answers completed through the appliances over the appliance phase's wall time "
          f"(one answer takes at least {100 + 20 * (args.tokens - 1)} ms from this upstream)")
    if args.only != "postgres":
        for name, history in [("fresh", 0)] + ([(f"{args.history:,} msgs", args.history)] if args.history else []):
            appls = [sqlite_appliance(args, fake.port, work, history)]
            running.extend(appls)
            start_sqlite(appls[0], history)
            await measure_case(args, fake.port, name, appls, levels, [])
            stop_all(appls)
    if args.only != "sqlite" and args.postgres_levels:
        cluster = pgharness.PostgresCluster()
        running.append(cluster)
        for count in [int(x) for x in args.postgres_instances.split(",")]:
            appls = postgres_appliances(args, fake.port, work, cluster, count)
            running.extend(appls)
            for appl in appls:
                appl.start()
            name = f"postgres {count} app{'s' if count > 1 else ''}"
            notes = [f"{count} appliances (instance.name {', '.join(a.settings['instance.name'] for a in appls)}; "
                     "own ports and data directories) on one fresh database; stream i goes straight to appliance i mod "
                     f"{count} (no balancer); CPU, cores and memory are theirs summed"] if count > 1 else []
            await measure_case(args, fake.port, name, appls, [int(x) for x in args.postgres_levels.split(",")], notes,
                               cluster.pids)
            stop_all(appls)


def run():
    args = arguments()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    work, running = tempfile.mkdtemp(prefix="turn-bench-"), []
    try:
        asyncio.run(main(args, work, running))
    finally:
        for thing in reversed(running):
            if isinstance(thing, Appliance):
                stop_all([thing])
            else:
                thing.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    run()
