"""Scenarios of the storage under the appliance: a full disk, and a write lock held by another process."""
import asyncio
import collections
import os
import shutil
import subprocess
import sys
import threading
import time

import invariants
from load import Load
from scenario import ScenarioError


class Filler:
    """Fills the file system of `path` with zeros, then keeps it full (space SQLite frees is taken at once)
    until stopped; `full_at` is when the first write hit ENOSPC."""

    def __init__(self, path):
        self.path, self.full_at, self.stopping = path, None, threading.Event()
        self.thread = threading.Thread(target=self._fill, daemon=True)

    def _fill(self):
        block = b"\0" * 65536
        with open(self.path, "wb", buffering=0) as f:
            while not self.stopping.is_set():
                try:
                    f.write(block)
                except OSError:
                    if self.full_at is None:
                        self.full_at = time.monotonic()
                    self.stopping.wait(0.05)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stopping.set()
        self.thread.join(5)
        os.remove(self.path)


def mount_tmpfs(run, size_mb):
    """A tmpfs of `size_mb` MB under the scenario's work directory, unmounted when the scenario ends."""
    point = os.path.join(run.work, "disk")
    os.makedirs(point, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", point], capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise ScenarioError(f"mount -t tmpfs refused (the full-disk scenario needs root): {done.stderr.strip()}")
    def unmount():
        if run.failures:  # keep the evidence: the database lives on the tmpfs
            shutil.copytree(os.path.join(point, "data"), os.path.join(run.work, "data-copy"), dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("fill"))
        subprocess.run(["umount", "-l", point], check=True)
    run.cleanups.append(unmount)
    return point


async def full_disk(run):
    """The data folder on a 20 MB tmpfs filled while 8 streams run: no client is told `complete` for an answer
    that is not stored; new turns get 507 `storage_full` with Retry-After (never 400); /ready says `full` with
    503; once the file is removed the appliance serves again and the answers whose final write failed are stored."""
    point = mount_tmpfs(run, 20)
    fake = run.fake(tokens=300, token_delay_ms=20)
    appl = run.appliance(fake, data_dir=os.path.join(point, "data"))
    await run.start(appl)
    streams = Load(run.ledger, appl.web, streams=8, turns_each=1).start()
    await asyncio.sleep(1.5)
    filler = Filler(os.path.join(appl.data, "fill")).start()
    deadline = time.monotonic() + 30
    while filler.full_at is None:
        if time.monotonic() > deadline:
            raise ScenarioError("the 20 MB tmpfs was not full after 30 s of writing zeros")
        await asyncio.sleep(0.05)
    await streams.stop(timeout=60)
    # The disk is still full: an answer told complete must be stored already, not by a retry once space is freed.
    rows = await asyncio.to_thread(invariants.answers, appl.db)
    early = [t for t in streams.turns if t.done == "complete" and rows.get(t.assistant_id, ())[:2] != ("complete", t.text)]
    run.that(not early, f"{len(early)} of 8 clients were told 'complete' on a full disk for an answer that was not "
                        f"stored as received (row: {rows.get(early[0].assistant_id, ('missing',))[0] if early else ''})")
    refusals, reads, ready = [], [], []
    phase_end = time.monotonic() + (6 if run.short else 10)
    while time.monotonic() < phase_end:
        refusals.append(await run.ledger.chat(appl.web, timeout=15))
        refusals.append(await run.ledger.request(appl.web, "POST", "/api/conversations", {"title": "full"}, 15))
        reads.append(await run.ledger.request(appl.web, "GET", "/api/conversations", timeout=15))
        ready.append(await run.readiness(appl))
        await asyncio.sleep(0.4)
    filler.stop()
    kinds = collections.Counter(f"{r.status} {r.code or ''}".strip() if not r.failure else r.failure for r in refusals)
    probes = collections.Counter(f"{s} {b.get('checks', {}).get('database')}" for s, b in ready)
    run.figure(f"while full: writes answered {dict(kinds)}; /ready {dict(probes)}")
    wrong = [r for r in refusals if r.status != 200 and not (r.status == 507 and r.code == "storage_full" and r.retry_after)]
    run.that(not wrong, f"{len(wrong)} writes on a full disk were not answered 507 storage_full with Retry-After: "
                        f"e.g. {wrong[0].describe() if wrong else ''} {wrong[0].body[:160] if wrong else ''!r}")
    run.that(any(r.status == 507 for r in refusals), "no write was refused with 507 while the disk was full")
    run.that(all(r.status == 200 for r in reads), f"reads failed on a full disk: {[r.describe() for r in reads if r.status != 200][:3]}")
    run.that(ready and all(s == 503 and b.get("checks", {}).get("database") == "full" for s, b in ready),
             f"/ready while the disk was full: {[(s, b.get('checks', {}).get('database')) for s, b in ready][:6]}; "
             f"expected 503 with database 'full'")
    await run.recovery(appl)
    left = await run.no_streaming(appl, 45)
    run.that(left == 0, f"{left} answers still 'streaming' 45 s after the space was freed")
    rows = await asyncio.to_thread(invariants.answers, appl.db)
    unstored = [t for t in streams.turns if any((c or "").startswith("storage_") for c, _ in t.errors)]
    told = collections.Counter(t.done if not t.errors else t.errors[-1][0] for t in streams.turns)
    run.figure(f"the 8 streams ended: {dict(told)}")
    late = [t for t in unstored if rows.get(t.assistant_id, ("missing", ""))[:2] != ("complete", t.text)]
    run.that(not late, f"{len(late)} of {len(unstored)} answers whose final write failed were not stored later as "
                       f"the client received them: e.g. row {rows.get(late[0].assistant_id, ('missing', ''))[0] if late else ''} "
                       f"with {len((rows.get(late[0].assistant_id, ('', ''))[1] or '')) if late else 0} of "
                       f"{len(late[0].text) if late else 0} characters")
    await run.settle(appl, recover=False, drain_timeout=5)


LOCKER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
con.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.execute("COMMIT")
print("committed", flush=True)
"""


async def timed_reads(run, appl, conversation, until):
    replies = []
    while not until.is_set():
        replies.append(await run.ledger.request(appl.web, "GET", "/api/conversations?limit=20", timeout=15))
        replies.append(await run.ledger.request(appl.web, "GET", f"/api/conversations/{conversation}", timeout=15))
        await asyncio.sleep(0.5)
    return replies


async def ready_samples(run, appl, since, until):
    samples = []
    while not until.is_set():
        status, body = await run.readiness(appl)
        samples.append((time.monotonic() - since, status, body.get("checks", {}).get("database")))
        await asyncio.sleep(0.5)
    return samples


async def db_lock(run):
    """Another process holds the write lock (`BEGIN EXCLUSIVE`) for 12 s while 20 streams run: reads keep
    answering at once, a new write gets 503 `storage_busy` with Retry-After within about 5 s, /ready says `locked`
    once the lock has been held 5 s, the streams keep flowing and are stored, and all recovers after COMMIT."""
    hold = 12
    fake = run.fake(tokens=800, token_delay_ms=20)
    appl = run.appliance(fake)
    await run.start(appl)
    run.recovery_model = "fake/echo"  # answers in a few words; lorem answers are 16 s long here
    first = await run.ledger.chat(appl.web, model="fake/echo")
    run.that(first.done == "complete", f"the first turn did not complete: {first.describe()}")
    load = Load(run.ledger, appl.web, streams=20, turns_each=1).start()
    await asyncio.sleep(2)
    locker = await asyncio.create_subprocess_exec(sys.executable, "-c", LOCKER, appl.db, str(hold),
                                                  stdout=asyncio.subprocess.PIPE)
    run.cleanups.append(lambda: locker.returncode is None and locker.kill())
    line = await asyncio.wait_for(locker.stdout.readline(), 30)
    run.that(line.strip() == b"locked", f"the locker did not get the lock: {line!r}")
    locked_at, released = time.monotonic(), asyncio.Event()
    reads = asyncio.create_task(timed_reads(run, appl, first.conversation_id, released))
    readiness = asyncio.create_task(ready_samples(run, appl, locked_at, released))
    await asyncio.sleep(0.5)
    writes = await asyncio.gather(
        run.ledger.request(appl.web, "POST", "/api/conversations", {"title": "locked"}, 20),
        run.ledger.chat(appl.web, timeout=20))
    await locker.wait()
    released.set()
    read_replies, samples = await reads, await readiness
    await load.stop(timeout=60)
    slow = [r for r in read_replies if r.status != 200 or r.elapsed > 2]
    run.figure(f"reads during the lock: {len(read_replies)}, slowest {max(r.elapsed for r in read_replies):.2f} s; "
               f"writes: {[f'{w.status} {w.code} {w.elapsed:.1f} s' for w in writes]}")
    run.that(not slow, f"{len(slow)} of {len(read_replies)} reads during the lock failed or took over 2 s: "
                       f"e.g. {slow[0].describe() if slow else ''}")
    for w in writes:
        run.that(w.status == 503 and w.code == "storage_busy" and w.retry_after and w.elapsed <= 7,
                 f"a write during the lock: {w.describe()} (Retry-After {w.retry_after}); expected 503 storage_busy "
                 f"with Retry-After within 7 s")
    held = [(round(t, 1), s, d) for t, s, d in samples if 6 <= t <= hold - 1]
    run.that(held and all(s == 503 and d == "locked" for _, s, d in held),
             f"/ready between 6 s and {hold - 1} s into the lock: {held[:6]}; expected 503 with database 'locked'")
    turns = load.turns
    unfinished = [t for t in turns if t.done != "complete"]
    frozen = [t for t in turns if t.max_gap > 5]
    run.figure(f"streams: {len(turns) - len(unfinished)}/{len(turns)} complete, longest silence "
               f"{max((t.max_gap for t in turns), default=0):.2f} s")
    run.that(not unfinished, f"{len(unfinished)} of the {len(turns)} streams running during the lock did not complete: "
                             f"e.g. {unfinished[0].describe() if unfinished else ''} {unfinished[0].errors if unfinished else ''}")
    run.that(not frozen, f"{len(frozen)} streams froze over 5 s during the lock (longest {max((t.max_gap for t in turns), default=0):.1f} s)")
    await run.settle(appl)
