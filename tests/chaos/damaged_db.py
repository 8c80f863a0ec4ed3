"""A database file replaced by garbage, under a running appliance and at start."""
import asyncio
import os
import time

import invariants


async def damaged_db(run):
    """The database file replaced by garbage: under a running appliance /ready turns 503 with database `error`
    (the probe opens the file afresh) and turns 200 again once the file is put back; a `run` on a garbage file
    says so in a JSON log line and does not loop (it exits non-zero, or runs with /ready 503 `error`)."""
    fake = run.fake(tokens=20, token_delay_ms=5)
    appl = run.appliance(fake)
    await run.start(appl)
    turn = await run.ledger.chat(appl.web)
    run.that(turn.done == "complete", f"the first turn did not complete: {turn.describe()}")
    aside = appl.db + ".aside"
    os.rename(appl.db, aside)
    with open(appl.db, "wb") as f:
        f.write(os.urandom(65536))
    seen = await ready_until(run, appl, lambda s, d: s == 503 and d == "error", 10)
    run.that(seen[-1][1:] == (503, "error"), f"/ready with garbage in place of the database: {seen[-3:]}; expected 503 with database 'error'")
    os.replace(aside, appl.db)
    kept = await asyncio.to_thread(stored_users, appl.db)
    run.that(turn.marker in kept, "the turn stored before the swap is gone once the file is back: looking at the "
                                  "replaced file, /ready wrote the appliance's WAL into it and removed the WAL")
    back = await ready_until(run, appl, lambda s, d: s == 200 and d == "ok", 10)
    run.that(back[-1][1:] == (200, "ok"), f"/ready after the file was put back: {back[-3:]}")
    run.figure(f"/ready: 'error' {seen[-1][0]:.1f} s after the swap, 'ok' {back[-1][0]:.1f} s after the file was back")
    code = await run.stop(appl)
    run.that(code == 0, f"stop: exit status {code}")
    files = [appl.db + suffix for suffix in ("", "-wal", "-shm") if os.path.exists(appl.db + suffix)]
    for path in files:
        os.rename(path, path + ".aside")
    with open(appl.db, "wb") as f:
        f.write(os.urandom(65536))
    appl.launch()
    code = await run.exited(appl, 20)
    status, body = await run.readiness(appl)
    clear = run.log_tail(appl, count=2)
    run.figure(f"run on a garbage file: exit status {code}, /ready {status} {body.get('checks', {}).get('database')}; log: {clear[:200]}")
    run.that((code not in (None, 0) and "database" in clear.lower()) or (status == 503 and body.get("checks", {}).get("database") == "error"),
             f"a run on a garbage database neither exited with a log line naming the database nor reported /ready "
             f"database 'error' (exit {code}, /ready {status} {body}); log: {clear}")
    if appl.proc.poll() is None:
        await run.stop(appl)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(appl.db + suffix):
            os.remove(appl.db + suffix)
    for path in files:
        os.replace(path + ".aside", path)
    await run.start(appl)
    await run.settle(appl)


def stored_users(db):
    with invariants.read_only(db) as con:
        return {row[0] for row in con.execute("SELECT content FROM messages WHERE role = 'user'")}


async def ready_until(run, appl, wanted, timeout):
    """/ready samples (seconds, status, database check) until `wanted(status, database)` or `timeout`."""
    t0, samples = time.monotonic(), []
    while True:
        status, body = await run.readiness(appl)
        samples.append((round(time.monotonic() - t0, 1), status, body.get("checks", {}).get("database")))
        if wanted(status, samples[-1][2]) or time.monotonic() - t0 > timeout:
            return samples
        await asyncio.sleep(0.2)
