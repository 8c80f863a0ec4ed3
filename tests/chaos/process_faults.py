"""Scenarios that kill or signal the appliance's processes under load: kill -9 of the web worker, SIGKILL of the
supervisor then a new `run`, SIGTERM, a storm of SIGHUPs."""
import asyncio
import collections
import glob
import os
import re
import signal
import time

import invariants
from client import exchange
from load import Load
from ntharness import alive, descendants


async def web_ready(run, appl, not_pid, timeout):
    """Waits for a web worker other than `not_pid` that the supervisor reports ready; its pid or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and appl.proc.poll() is None:
        webs = [p for p in appl.workers("web") if p != not_pid]
        if webs and (await run.readiness(appl))[1].get("checks", {}).get("web") == "ok":
            return webs[0]
        await asyncio.sleep(0.05)
    return None


def stale_sockets(appl):
    """run/worker-ROLE-PID.sock files whose process is gone."""
    stale = []
    for path in glob.glob(os.path.join(appl.data, "run", "worker-*.sock")):
        found = re.search(r"-(\d+)\.sock$", path)
        if found and not alive(int(found.group(1))):
            stale.append(os.path.basename(path))
    return stale


async def kill_loop(run):
    """kill -9 of the web worker every few seconds under 20 streams: each worker reached ready and served, so
    the supervisor restarts it each time and never stops the appliance as if it were crash-looping."""
    kills = 3 if run.short else 8
    # The short run lowers the crash-loop limit so that its 3 kills exceed it as the full run's 8 exceed 5.
    limit = 2 if run.short else 5
    fake = run.fake(tokens=150, token_delay_ms=20)
    appl = run.appliance(fake, {"supervisor.healthy_after_seconds": 3, "supervisor.crash_loop_max_restarts": limit})
    await run.start(appl)
    load = Load(run.ledger, appl.web, streams=20).start()
    await asyncio.sleep(2)
    restarts = []
    for number in range(1, kills + 1):
        webs = appl.workers("web")
        if not run.that(webs, f"kill {number}: no web worker to kill"):
            break
        os.kill(webs[0], signal.SIGKILL)
        killed = time.monotonic()
        replacement = await web_ready(run, appl, webs[0], 20)
        if appl.proc.poll() is not None:
            run.that(False, f"the supervisor exited with status {appl.proc.returncode} after kill {number} of "
                            f"{kills} (crash-loop limit {limit}); log: {run.log_tail(appl)}")
            break
        if not run.that(replacement, f"kill {number}: no ready web worker within 20 s"):
            break
        restarts.append(time.monotonic() - killed)
        await asyncio.sleep(4)  # longer than healthy_after_seconds: the replacement counts as healthy
    await load.stop(timeout=30)
    turns = run.ledger.turns
    run.figure(f"{len(restarts)}/{kills} kills answered by a ready web worker, restart times "
               f"{', '.join(f'{t:.2f}' for t in restarts)} s; {len(turns)} turns, "
               f"{sum(t.done == 'complete' for t in turns)} complete, {sum(bool(t.failure) for t in turns)} cut")
    if appl.proc and appl.proc.poll() is None:
        stale = stale_sockets(appl)
        run.that(not stale, f"{len(stale)} stale worker sockets left in run/ after {kills} kills: {stale[:4]}")
        await run.settle(appl)
    else:
        run.invariants(appl)
    cut_answers(run, appl, [t for t in turns if t.status == 200 and t.done is None and t.assistant_id])


def cut_answers(run, appl, cut):
    """Answers cut by a kill: each is stored `interrupted` with a text that is a prefix of what its client saw (or
    the other way round: the client may have lost the last bytes); the figure says how much seen text was lost."""
    rows = invariants.answers(appl.db)
    wrong = [t for t in cut if rows.get(t.assistant_id, ("missing",))[0] != "interrupted"
             or not (t.text.startswith(rows[t.assistant_id][1]) or rows[t.assistant_id][1].startswith(t.text))]
    lost = [len(t.text) - len(rows[t.assistant_id][1]) for t in cut if t.assistant_id in rows]
    run.figure(f"{len(cut)} answers cut by the kills: {sum(x for x in lost if x > 0)} characters their clients had "
               f"seen are not stored (at most {max(lost, default=0)} in one answer)")
    run.that(not wrong, f"{len(wrong)} of {len(cut)} cut answers are not stored 'interrupted' with a prefix of the "
                        f"text their client saw: e.g. {rows.get(wrong[0].assistant_id, ('missing',))[0] if wrong else ''}")


async def supervisor_kill(run):
    """SIGKILL of the supervisor under load, then a new `run` with the same config 0.5 s later: it starts (waiting
    for the port if the orphaned workers still hold it) and the answers the old workers left behind are marked
    `interrupted`, not left `streaming`."""
    fake = run.fake(tokens=150, token_delay_ms=20)
    appl = run.appliance(fake)
    await run.start(appl)
    load = Load(run.ledger, appl.web, streams=20).start()
    await asyncio.sleep(2)
    old = descendants(appl.proc.pid)
    run.strays += old[1:]
    os.kill(appl.proc.pid, signal.SIGKILL)
    appl.proc.wait()
    await asyncio.sleep(0.5)
    t0 = time.monotonic()
    appl.launch()
    ready = await run.wait_ready(appl, 40)
    if not ready:
        code = appl.proc.poll()
        run.that(False, f"a new `run` after SIGKILL of the supervisor did not become ready in 40 s "
                        f"(exit status {code}); log: {run.log_tail(appl)}")
    else:
        run.figure(f"new run ready {time.monotonic() - t0:.1f} s after it was started")
    deadline = time.monotonic() + 20
    while any(alive(p) for p in old[1:]) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    orphans = [p for p in old[1:] if alive(p)]
    run.that(not orphans, f"orphaned workers {orphans} of the killed supervisor still run 20 s later")
    await load.stop(timeout=30)
    if ready:
        await run.settle(appl)
    else:
        appl.kill_tree()
        run.invariants(appl)


async def drain_probe(port, since):
    """A request sent during the drain: (seconds after SIGTERM, Reply)."""
    sent = time.monotonic() - since
    return sent, await exchange(port, "GET", "/api/conversations", timeout=15)


async def sigterm_drain(run):
    """SIGTERM under load: the streams under way finish, exit status 0, no row left `streaming`; a request sent
    during the drain is refused at once or served, never accepted and then reset seconds later."""
    fake = run.fake(tokens=150, token_delay_ms=20)
    appl = run.appliance(fake)
    await run.start(appl)
    load = Load(run.ledger, appl.web, streams=20, turns_each=1).start()
    await asyncio.sleep(1.5)
    signalled = time.monotonic()
    appl.proc.send_signal(signal.SIGTERM)
    probes, chats = [], []
    while appl.proc.poll() is None and time.monotonic() - signalled < 25:
        probes.append(asyncio.create_task(drain_probe(appl.web, signalled)))
        if len(chats) < 3:
            chats.append(asyncio.create_task(run.ledger.chat(appl.web, timeout=15)))
        await asyncio.sleep(0.25)
    code = await run.exited(appl, 1)
    drained = time.monotonic() - signalled
    await load.stop(timeout=20)
    results = [await p for p in probes] + [(None, await c) for c in chats]
    run.that(code == 0, f"SIGTERM under load: exit status {code}, expected 0; log: {run.log_tail(appl)}")
    loaded = load.turns
    unfinished = [t for t in loaded if t.status == 200 and t.done not in ("complete", "stopped")]
    run.that(not unfinished, f"{len(unfinished)} of the streams under way at SIGTERM did not finish "
                             f"(e.g. {unfinished[0].describe() if unfinished else ''}, done {unfinished[0].done if unfinished else ''})")
    kinds = collections.Counter()
    bad = []
    for sent, reply in results:
        if reply.failure == "refused":
            kinds["refused"] += 1
        elif reply.status is not None and not reply.failure:
            kinds[f"answered {reply.status}"] += 1
            # A chat accepted at the very moment of SIGTERM is served to its end (a stream of ~3 s): that is not a
            # request left hanging.
            served_stream = reply.status == 200 and getattr(reply, "done", None) in ("complete", "stopped")
            if reply.elapsed > 2 and not served_stream:
                bad.append((sent, reply))
        else:
            kinds[f"accepted then {reply.failure}"] += 1
            if reply.elapsed > 1:
                bad.append((sent, reply))
    run.figure(f"drain took {drained:.1f} s; requests during the drain: {dict(kinds)}")
    run.that(not bad, f"{len(bad)} of {len(results)} requests sent during the drain were accepted and left "
                      f"hanging: e.g. {bad[0][1].describe() if bad else ''}")
    rows = await asyncio.to_thread(statuses, appl.db)
    run.that(set(rows) <= {"complete", "stopped"}, f"answers after the drain: {dict(rows)}; expected only complete/stopped")
    await run.start(appl)
    await run.settle(appl)


def statuses(db):
    from invariants import read_only
    with read_only(db) as con:
        return dict(con.execute("SELECT status, count(*) FROM messages WHERE role = 'assistant' GROUP BY status"))


async def sighup_storm(run):
    """Many SIGHUPs under load (each a real reload: a key that applies in place changes every time): every stream
    completes and the supervisor stays up."""
    hups, seconds = (15, 6) if run.short else (50, 20)
    fake = run.fake(tokens=50, token_delay_ms=20)
    appl = run.appliance(fake)
    await run.start(appl)
    load = Load(run.ledger, appl.web, streams=20).start()
    await asyncio.sleep(1)
    for number in range(hups):
        appl.write_config(breaker__open_seconds=30 + number % 2)
        appl.proc.send_signal(signal.SIGHUP)
        await asyncio.sleep(seconds / hups)
    await load.stop(timeout=30)
    turns = load.turns
    failed = [t for t in turns if t.status != 200 or t.failure or t.done != "complete"]
    run.figure(f"{hups} SIGHUPs in {seconds} s; {len(turns) - len(failed)}/{len(turns)} streams complete")
    run.that(appl.proc.poll() is None, f"the supervisor exited ({appl.proc.returncode}) during the SIGHUP storm")
    run.that(not failed, f"{len(failed)} of {len(turns)} streams did not complete during the SIGHUP storm, "
                         f"e.g. {failed[0].describe() if failed else ''} done {failed[0].done if failed else ''}")
    if appl.proc.poll() is None:
        await run.settle(appl)
    else:
        run.invariants(appl)
