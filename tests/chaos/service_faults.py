"""Scenarios of the appliance's own safety nets and its upstream: the memory floor and the watchdog's back-off,
upstream errors under load with the circuit breaker, and the soak."""
import asyncio
import collections
import math
import os
import re
import subprocess
import time

from client import exchange
from load import Load
from ntharness import descendants, memory_mb, pct, toml_value

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "configuration.md")


def documented_floor():
    """The lowest `memory.limit_mb` docs/configuration.md allows (the Range column)."""
    with open(DOCS) as f:
        found = re.search(r"\| `memory\.limit_mb` \| integer \| `\d+` \| (\d+) … \d+", f.read())
    return int(found.group(1)) if found else None


def vmrss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024
    except (OSError, StopIteration):
        return 0.0


def check_config(run, appl, limit):
    """`check-config` on the appliance's config with `memory.limit_mb = limit`: (exit status, output)."""
    path = os.path.join(run.work, f"limit-{limit}.toml")
    with open(path, "w") as f:
        f.write("".join(f"{k} = {toml_value(v)}\n" for k, v in {**appl.settings, "memory.limit_mb": limit}.items()))
    done = subprocess.run([appl.binary, "check-config", "--config", path], capture_output=True, text=True, env=appl.env)
    return done.returncode, (done.stdout + done.stderr).strip()


async def memory_floor(run):
    """`check-config` refuses a `memory.limit_mb` below the documented floor, and that floor is above a fresh
    worker's RSS, so no accepted limit makes the watchdog replace every fresh worker."""
    floor = documented_floor()
    run.that(floor, f"no range for memory.limit_mb found in {DOCS}")
    fake = run.fake()
    appl = run.appliance(fake)
    await run.start(appl)
    await asyncio.sleep(2)
    fresh = {role: max((vmrss_mb(p) for p in appl.workers(role)), default=0) for role in ("web", "metrics", "maintenance")}
    biggest = max(fresh.values())
    run.figure(f"documented floor {floor} MB; fresh workers' RSS {', '.join(f'{r} {v:.1f} MB' for r, v in fresh.items())}")
    run.that(floor and floor >= math.ceil(biggest),
             f"the documented floor of memory.limit_mb ({floor} MB) is below a fresh worker's RSS ({biggest:.1f} MB)")
    for limit, accepted in [(24, False), ((floor or 17) - 1, False), (floor or 16, True)]:
        code, output = check_config(run, appl, limit)
        if accepted:
            run.that(code == 0, f"check-config refused memory.limit_mb = {limit} (the floor): {code} {output[:200]}")
        else:
            run.that(code != 0 and "memory.limit_mb" in output,
                     f"check-config with memory.limit_mb = {limit}: exit status {code}, expected a refusal naming the "
                     f"key ({output[:200]!r})")
    await run.settle(appl)


async def watchdog_backoff(run):
    """A web worker that is over `memory.limit_mb` right after it starts (a test fault leaks 50 MB/s) is replaced
    with a growing back-off, not once a second forever, and every chat turn meanwhile completes."""
    limit = max(documented_floor() or 0, 64)
    fake = run.fake(tokens=20, token_delay_ms=5)
    appl = run.appliance(fake, {"memory.limit_mb": limit, "memory.sample_interval_seconds": 0.2,
                                "memory.samples_over_limit": 2},
                         env={"NEURAL_TERMINAL_FAULT": "leak:web:50"})
    await run.start(appl)
    t0, seen, turns, peak = time.monotonic(), {}, [], 0.0
    next_turn = t0
    while time.monotonic() - t0 < 30 and appl.proc.poll() is None:
        for pid in appl.workers("web"):
            seen.setdefault(pid, time.monotonic() - t0)
            peak = max(peak, vmrss_mb(pid))
        if time.monotonic() >= next_turn:
            turns.append(asyncio.create_task(run.ledger.chat(appl.web, timeout=20)))
            next_turn += 1
        await asyncio.sleep(0.1)
    turns = [await t for t in turns]
    starts = sorted(seen.values())[1:]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    failed = [t for t in turns if t.done != "complete"]
    run.figure(f"limit {limit} MB, leak 50 MB/s, largest web RSS {peak:.0f} MB: {len(starts)} replacements in 30 s at "
               f"{', '.join(f'{s:.1f}' for s in starts)} s; {len(turns) - len(failed)}/{len(turns)} turns complete")
    run.that(appl.proc.poll() is None, f"the supervisor exited ({appl.proc.returncode}); log: {run.log_tail(appl)}")
    run.that(peak > limit, f"no web worker went over the limit: the largest RSS seen was {peak:.1f} MB, so the "
                           f"leak fault (NEURAL_TERMINAL_FAULT=leak:web:50) did not work in this binary")
    run.that(len(starts) <= 8, f"{len(starts)} watchdog replacements in 30 s: no back-off")
    run.that(len(gaps) < 3 or gaps[-1] >= 2 * gaps[0],
             f"the time between replacements does not grow: {', '.join(f'{g:.1f}' for g in gaps)} s")
    run.that(not failed, f"{len(failed)} of {len(turns)} turns during the replacements failed: "
                         f"e.g. {failed[0].describe() if failed else ''} {failed[0].errors if failed else ''}")
    with open(appl.log_path, errors="replace") as f:
        run.that("memory watchdog" in f.read(), "the log does not say why workers were replaced (memory watchdog)")
    await run.settle(appl)


# The error code each faulty model must end its turn with (the codes of NTChat's UpstreamFailure); any of them may
# also end with `circuit_open` when the breaker opened while the turn waited to retry.
EXPECTED = {
    "fake/http-500": "upstream_500", "fake/http-502": "upstream_502", "fake/http-503": "upstream_503",
    "fake/http-429": "upstream_429", "fake/http-408": "upstream_408", "fake/midstream-error": "upstream_502",
    "fake/midstream-error-nodone": "upstream_server_error", "fake/cut": "stream_cut", "fake/stall": "timeout_idle",
}


async def upstream_faults(run):
    """20 streams over the fake's HTTP errors, mid-stream errors, a cut and a stall, with a few good models: every
    failed turn ends with its documented error code and `done` `error` and is stored as an error; the breaker
    opens (503 `circuit_open` with Retry-After) for each failing model while the good model is never refused, then
    closes after one good probe."""
    seconds = 6 if run.short else 15
    fake = run.fake(tokens=30, token_delay_ms=10)
    appl = run.appliance(fake, {"breaker.failure_threshold": 5, "breaker.open_seconds": 1, "retry.max_attempts": 1,
                                "retry.base_delay_ms": 50, "upstream.idle_timeout_seconds": 2,
                                "upstream.first_byte_timeout_seconds": 3})
    await run.start(appl)
    models = list(EXPECTED) + ["fake/lorem"] * 3
    load = Load(run.ledger, appl.web, streams=20, models=models, pause=0.5).start()
    await asyncio.sleep(seconds)
    await load.stop(timeout=30)
    wrong, codes = [], collections.defaultdict(collections.Counter)
    for t in load.turns:
        if t.status != 200:
            codes[t.model][f"{t.status} {t.code}"] += 1
            # Each failing model opens its own breaker; the upstream answers throughout, so a good model never waits.
            if not (t.status == 503 and t.code == "circuit_open" and t.retry_after) or t.model not in EXPECTED:
                wrong.append(f"{t.model}: {t.describe()}")
            continue
        code = t.errors[-1][0] if t.errors else None
        codes[t.model][code or t.done] += 1
        want = EXPECTED.get(t.model)
        if t.failure or t.last_event != "done":
            wrong.append(f"{t.model}: stream ended without done last ({t.failure}, last event {t.last_event})")
        elif want is None and t.done != "complete":
            wrong.append(f"{t.model}: done {t.done} with {t.errors}")
        elif want and not (t.done == "error" and code in (want, "circuit_open")):
            wrong.append(f"{t.model}: done {t.done} with error {code}, expected {want}")
    run.figure(f"{len(load.turns)} turns: " + "; ".join(f"{m.removeprefix('fake/')} {dict(c)}" for m, c in sorted(codes.items())))
    run.that(not wrong, f"{len(wrong)} turns did not end as documented: {wrong[:4]}")
    run.that(any(t.code == "circuit_open" for t in load.turns), "the breaker never opened (no 503 circuit_open)")
    await asyncio.sleep(2.5)
    probe_deadline, probe = time.monotonic() + 15, None
    while time.monotonic() < probe_deadline and not (probe and probe.done == "complete"):
        probe = await run.ledger.chat(appl.web)
        await asyncio.sleep(0.3)
    usage = await exchange(appl.web, "GET", "/api/usage")
    state = (usage.json or {}).get("circuit_breaker", {}).get("state") if usage.status == 200 else usage.describe()
    run.that(probe.done == "complete" and state == "closed",
             f"after open_seconds a good turn should close the breaker: turn {probe.describe()} done {probe.done}, "
             f"breaker {state}")
    await run.settle(appl)
    errors = await asyncio.to_thread(stored_errors, appl.db)
    told_error = [t for t in load.turns if t.status == 200 and t.done == "error"]
    unstored = [t for t in told_error if not errors.get(t.assistant_id)]
    run.that(not unstored, f"{len(unstored)} of {len(told_error)} failed turns are not stored as errors with a reason")


def stored_errors(db):
    from invariants import read_only
    with read_only(db) as con:
        return dict(con.execute("SELECT id, error FROM messages WHERE role = 'assistant' AND status = 'error'"))


async def soak(run):
    """Steady load for `--soak-minutes` (10): 20 streams of 50 tokens, with RSS and time to first token per
    minute, then every invariant over all the turns."""
    minutes = run.soak_minutes
    fake = run.fake(tokens=50, token_delay_ms=20, ttft_ms=100)
    appl = run.appliance(fake)
    await run.start(appl)
    load = Load(run.ledger, appl.web, streams=20).start()
    t0, counted = time.monotonic(), 0
    for minute in range(1, math.ceil(minutes) + 1):
        await asyncio.sleep(max(0, t0 + min(minute, minutes) * 60 - time.monotonic()))
        rss, pss = memory_mb(descendants(appl.proc.pid))
        web = sum(vmrss_mb(p) for p in appl.workers("web"))
        ended, counted = load.turns[counted:], len(load.turns)  # the turns that ended in this minute
        ttft = sorted(t.ttft * 1000 for t in ended if t.ttft is not None)
        failed = sum(1 for t in ended if t.done != "complete")
        run.figure(f"minute {minute}: {len(ended)} turns, {failed} failed, TTFT p50 {pct(ttft, 50):.0f} ms p99 "
                   f"{pct(ttft, 99):.0f} ms, RSS {rss:.0f} MB (web {web:.0f}), PSS {pss:.0f} MB")
    await load.stop(timeout=30)
    failed = [t for t in load.turns if t.done != "complete"]
    run.that(not failed, f"{len(failed)} of {len(load.turns)} soak turns did not complete: "
                         f"e.g. {failed[0].describe() if failed else ''} {failed[0].errors if failed else ''}")
    await run.settle(appl)
