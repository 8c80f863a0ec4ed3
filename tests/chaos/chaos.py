#!/usr/bin/env python3
"""The fault suite (docs/fault-suite.md): each scenario starts the release binary and the fake upstream on
loopback, injects one fault under load, waits for the appliance to recover, and checks the invariants (no
user message lost, no answer left `streaming`, a `complete` answer stored as received, no 5xx but the documented
503/507, `PRAGMA integrity_check` ok, JSON log lines). A scenario that cannot run (a refused mount, an appliance
that does not start) fails; nothing is skipped. Bounded in time and count; every connection stays on 127.0.0.1.

usage: tests/chaos/chaos.py --app BIN --fake BIN [--short] [--only NAME,...] [--soak-minutes 10] [--keep]
"""
import argparse
import asyncio
import os
import resource
import shutil
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "support")]

import crash_loop  # noqa: E402
import damaged_db  # noqa: E402
import process_faults  # noqa: E402
import service_faults  # noqa: E402
import storage_faults  # noqa: E402
from scenario import Run, ScenarioError  # noqa: E402

# (name, function, part of --short)
SCENARIOS = [
    ("kill_loop", process_faults.kill_loop, True),
    ("supervisor_kill", process_faults.supervisor_kill, False),
    ("sigterm_drain", process_faults.sigterm_drain, True),
    ("sighup_storm", process_faults.sighup_storm, False),
    ("full_disk", storage_faults.full_disk, True),
    ("db_lock", storage_faults.db_lock, True),
    ("damaged_db", damaged_db.damaged_db, False),
    ("memory_floor", service_faults.memory_floor, False),
    ("watchdog_backoff", service_faults.watchdog_backoff, False),
    ("crash_loop", crash_loop.crash_loop, False),
    ("upstream_faults", service_faults.upstream_faults, True),
    ("soak", service_faults.soak, False),
]


def run_one(name, function, args, work):
    run = Run(name, args.app, args.fake, work, args.short)
    run.soak_minutes = args.soak_minutes
    started = time.monotonic()
    print(f"== {name}", flush=True)
    try:
        asyncio.run(function(run))
    except ScenarioError as error:
        run.failures.append(str(error))
    except Exception:
        run.failures.append("the scenario crashed: " + traceback.format_exc(limit=4).strip().replace("\n", " | "))
    finally:
        run.close()
    seconds = time.monotonic() - started
    for failure in run.failures:
        print(f"   FAIL {failure}", flush=True)
    print(f"   {'PASS' if not run.failures else 'FAIL'} in {seconds:.0f} s", flush=True)
    if not run.failures and not args.keep:
        run.remove_work()
    return name, run, seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--app", default=".build-static/release/neural-terminal")
    ap.add_argument("--fake", default=".build-static/release/fake-openrouter")
    ap.add_argument("--short", action="store_true", help="the subset `make test` runs (about 3 minutes)")
    ap.add_argument("--only", help="comma-separated scenario names")
    ap.add_argument("--soak-minutes", type=float, default=10, help="length of the soak; 0 leaves it out")
    ap.add_argument("--keep", action="store_true", help="keep every scenario's work directory (logs, databases)")
    ap.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = ap.parse_args()
    if args.list:
        for name, function, short in SCENARIOS:
            print(f"{name:<18} {'short ' if short else '      '}{' '.join(function.__doc__.split())[:110]}")
        return 0
    chosen = [s for s in SCENARIOS if (s[2] or not args.short) and not (s[0] == "soak" and args.soak_minutes <= 0)]
    if args.only:
        names = args.only.split(",")
        unknown = set(names) - {s[0] for s in SCENARIOS}
        if unknown:
            ap.error(f"unknown scenario {', '.join(sorted(unknown))}; --list shows them")
        chosen = [s for s in SCENARIOS if s[0] in names]
    for path in (args.app, args.fake):
        if not os.access(path, os.X_OK):
            ap.error(f"{path} is not an executable; build it first (make static)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    work = tempfile.mkdtemp(prefix="nt-chaos-")
    print(f"fault suite: {len(chosen)} scenarios, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, work {work}",
          flush=True)
    results = [run_one(name, function, args, work) for name, function, _ in chosen]
    print(f"\n{'scenario':<18} {'result':<6} {'seconds':>7} {'turns':>6} {'failures':>8}  invariants")
    for name, run, seconds in results:
        print(f"{name:<18} {'PASS' if not run.failures else 'FAIL':<6} {seconds:>7.0f} {len(run.ledger.turns):>6} "
              f"{len(run.failures):>8}  {run.summary}")
    failed = [name for name, run, _ in results if run.failures]
    if failed:
        print(f"\n{len(failed)} of {len(results)} scenarios failed: {', '.join(failed)}; logs and databases in {work}")
        return 1
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nall {len(results)} scenarios passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
