"""A web worker that cannot start: the crash loop is declared promptly and said in JSON."""
import time


async def crash_loop(run):
    """A web worker that dies at every start (`NEURAL_TERMINAL_FAULT=crash-at-start:web`): the supervisor gives up
    with exit status 70 well within the shutdown grace (no worker left to kill at its end), every log line is JSON
    and one says `crash-looping`; without the fault the same config and data start and serve."""
    grace = 10
    fake = run.fake(tokens=20, token_delay_ms=5)
    appl = run.appliance(fake, {"supervisor.shutdown_grace_seconds": grace},
                         env={"NEURAL_TERMINAL_FAULT": "crash-at-start:web"})
    started = time.monotonic()
    appl.launch()
    code = await run.exited(appl, 60)
    took = time.monotonic() - started
    with open(appl.log_path, errors="replace") as f:
        log = f.read()
    run.figure(f"exit status {code} after {took:.1f} s; log: {run.log_tail(appl, count=1, levels=('critical',))[:200]}")
    run.that(code == 70, f"a web worker that cannot start: exit status {code} after {took:.1f} s, expected 70")
    run.that(code is None or took < grace, f"the crash loop took {took:.1f} s to end, the whole shutdown grace ({grace} s)")
    run.that("crash-looping" in log, "no log line says the worker is crash-looping")
    run.that("outlived the grace period" not in log, "workers had to be killed at the end of the grace period")
    if code is None:
        appl.kill_tree()
    appl.env.pop("NEURAL_TERMINAL_FAULT")
    await run.start(appl)
    await run.settle(appl)
