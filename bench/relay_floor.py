#!/usr/bin/env python3
"""The floor of the chat-turn table: the same harness as bench/turn_bench.py (the same fake upstream, client and
levels; medians of the runs) through bench/floor_relay.c, a C relay that only moves bytes (one thread and one
epoll set per core, no parsing, no storage). What it adds to time to first token and spends in CPU per stream is
what relaying costs at least on this machine, where the client, the fake and the relay share the cores; the
appliance's rows in the turn table are read against it.

Also prints the fake upstream's own CPU per stream during the direct waves, for scale.

Usage: bench/relay_floor.py --fake BIN [--levels 50,500,2000] [--runs 3] [--cc cc]
Loopback only; every wait is bounded by --timeout.
"""
import argparse, asyncio, os, shutil, statistics, subprocess, sys, tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "support"))
from ntharness import FakeUpstream, cpu_seconds, free_port, pct  # noqa: E402
from turn_streams import DIRECT, DIRECT_BODY, wave  # noqa: E402

PATH = "/api/v1/chat/completions"


async def measure(fake, relay_pid, relay_port, n, timeout):
    """One run at N streams: the direct waves, then the same waves through the relay (20 streams at least)."""
    waves = max(1, -(-20 // n))
    direct, through, errors = [], [], 0
    fake0 = cpu_seconds([fake.proc.pid])
    for _ in range(waves):
        ttfts, err = await wave(n, [fake.port], PATH, DIRECT_BODY, DIRECT, timeout)
        direct, errors = sorted(direct + ttfts), errors + err
    fake_cpu = cpu_seconds([fake.proc.pid]) - fake0
    relay0 = cpu_seconds([relay_pid])
    for _ in range(waves):
        ttfts, err = await wave(n, [relay_port], PATH, DIRECT_BODY, DIRECT, timeout)
        through, errors = sorted(through + ttfts), errors + err
    relay_cpu = cpu_seconds([relay_pid]) - relay0
    return {"added50": pct(through, 50) - pct(direct, 50), "added99": pct(through, 99) - pct(direct, 99),
            "direct50": pct(direct, 50), "direct99": pct(direct, 99), "errors": errors,
            "cpu_ms": relay_cpu * 1000 / (n * waves), "fake_ms": fake_cpu * 1000 / (n * waves)}


async def run(args, fake, relay, port):
    print(f"{'streams':>7} {'direct p50/p99 ms':>18} {'added p50/p99 ms':>17} {'errors':>6} {'relay CPU/stream ms':>19} "
          f"{'fake CPU/stream ms':>18}")
    for n in [int(x) for x in args.levels.split(",")]:
        runs = [await measure(fake, relay.pid, port, n, args.timeout) for _ in range(args.runs)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(f"{n:>7} {med['direct50']:>8.1f} / {med['direct99']:>6.1f} {med['added50']:>8.1f} / {med['added99']:>6.1f} "
              f"{sum(r['errors'] for r in runs):>6} {med['cpu_ms']:>19.2f} {med['fake_ms']:>18.2f}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fake", required=True)
    ap.add_argument("--levels", default="50,500,2000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="nt-floor-")
    binary = os.path.join(work, "floor_relay")
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "floor_relay.c")
    subprocess.run([args.cc, "-O2", "-pthread", "-o", binary, source], check=True)
    fake = FakeUpstream(args.fake, tokens=50, token_delay_ms=20, ttft_ms=100)
    port = free_port()
    relay = subprocess.Popen([binary, str(port), str(fake.port)], stdout=subprocess.PIPE, text=True)
    try:
        if relay.stdout.readline().strip() != "ready":
            raise SystemExit("floor_relay did not start")
        print(f"relay floor (bench/floor_relay.c, {os.cpu_count()} threads), fake upstream: 50 tokens, first after "
              f"100 ms, then every 20 ms; {args.runs} runs per level, medians; load average before: "
              f"{os.getloadavg()[0]:.2f}")
        asyncio.run(run(args, fake, relay, port))
    finally:
        relay.kill()
        relay.wait(10)
        fake.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
