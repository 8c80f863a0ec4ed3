#!/usr/bin/env python3
"""CPU the web worker spends starting chat turns: N `POST /api/chat` at once, against a fake upstream whose first
token comes only after 2 s, so that the measured 1.5 s after the burst hold the turns' starts (request, admission,
the first rows, the upstream request) and none of their relaying. Prints the web worker's CPU time (user + system,
from /proc) per turn for each of WAVES bursts, and their median. Loopback only; every wait is bounded.

Usage: bench/turn_start_cpu.py --app BIN --fake BIN [--turns 300] [--waves 5]
"""
import argparse, asyncio, os, shutil, statistics, sys, tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "support"))
from ntharness import Appliance, FakeUpstream, cpu_seconds  # noqa: E402
from turn_bench import SETTINGS  # noqa: E402
from turn_streams import THROUGH, THROUGH_BODY, wave  # noqa: E402


async def measure(appl, turns, waves):
    web = appl.workers("web")[0]
    await wave(turns, [appl.web], "/api/chat", THROUGH_BODY, THROUGH, 30)  # warm-up
    per_turn = []
    for _ in range(waves):
        await asyncio.sleep(0.5)
        before = cpu_seconds([web])
        burst = asyncio.create_task(wave(turns, [appl.web], "/api/chat", THROUGH_BODY, THROUGH, 30))
        await asyncio.sleep(1.5)
        per_turn.append((cpu_seconds([web]) - before) * 1000 / turns)
        await burst
    return per_turn


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", required=True)
    ap.add_argument("--fake", required=True)
    ap.add_argument("--turns", type=int, default=300)
    ap.add_argument("--waves", type=int, default=5)
    args = ap.parse_args()
    fake = FakeUpstream(args.fake, tokens=1, token_delay_ms=1, ttft_ms=2000)
    work = tempfile.mkdtemp(prefix="nt-start-cpu-")
    appl = Appliance(args.app, fake.port, work, "fresh", SETTINGS)
    try:
        appl.start()
        per_turn = asyncio.run(measure(appl, args.turns, args.waves))
        print(f"web worker CPU per turn start, {args.turns} turns at once: median {statistics.median(per_turn):.2f} ms "
              f"({' '.join(f'{v:.2f}' for v in per_turn)})")
    finally:
        try:
            appl.stop()
        except Exception:
            appl.kill_tree()
        fake.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
