"""One scenario's run: its fake upstream and appliances, the ledger of what it sent, its checks and figures, and
the common end of every scenario (recovery, then the invariants)."""
import asyncio
import json
import os
import shutil
import signal
import time

import invariants
from client import exchange
from load import Ledger
from ntharness import Appliance, FakeUpstream, alive

# Every scenario's appliance: loopback, no rate limits or budgets in the way, no scheduled backup or archive run
# competing with the fault, logs at info so the log shows what the appliance said.
SETTINGS = {
    "log.level": "info",
    "limits.api_requests_per_minute": 0,
    "limits.chat_requests_per_minute": 0,
    "budget.daily_usd": 1000000.0,
    "budget.monthly_usd": 10000000.0,
    "memory.limit_mb": 2048,
    "backup.interval_minutes": 0,
    "archive.after_days": 0,
}


class ScenarioError(Exception):
    """The scenario cannot go on (the appliance did not start, a mount was refused): a failure, never a skip."""


class Run:
    def __init__(self, name, app, fake, work, short):
        self.name, self.app_binary, self.fake_binary, self.short = name, app, fake, short
        self.work = os.path.join(work, name)
        os.makedirs(self.work, exist_ok=True)
        self.ledger = Ledger(name)
        self.failures, self.figures = [], []
        self.fakes, self.appliances, self.cleanups, self.strays = [], [], [], []
        self.recovery_model = "fake/lorem"
        self.summary = "(invariants not reached)"

    # --- checks and figures

    def that(self, condition, message):
        if not condition:
            self.failures.append(message)
        return condition

    def figure(self, text):
        self.figures.append(text)
        print(f"   {text}", flush=True)

    # --- what the scenario runs

    def fake(self, **options):
        fake = FakeUpstream(self.fake_binary, **options)
        self.fakes.append(fake)
        return fake

    def appliance(self, fake, settings=None, name="appliance", data_dir=None, env=None):
        appl = Appliance(self.app_binary, fake.port, self.work, name, {**SETTINGS, **(settings or {})}, data_dir, env)
        self.appliances.append(appl)
        return appl

    async def readiness(self, appl, timeout=3.0):
        """(HTTP status or None, the parsed body or {}) of GET /ready on the metrics listener."""
        reply = await exchange(appl.met, "GET", "/ready", timeout=timeout)
        return reply.status, (reply.json if isinstance(reply.json, dict) else {})

    async def wait_ready(self, appl, timeout=30.0):
        """Waits until /ready answers 200; False if it did not within `timeout` or the supervisor exited."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (await self.readiness(appl))[0] == 200:
                return True
            if appl.proc is None or appl.proc.poll() is not None:
                return False
            await asyncio.sleep(0.1)
        return False

    async def start(self, appl, timeout=30.0):
        appl.launch()
        if not await self.wait_ready(appl, timeout):
            code = appl.proc.poll()
            raise ScenarioError(f"the appliance did not become ready in {timeout:.0f} s (exit status {code}); "
                                f"log: {self.log_tail(appl)}")

    async def exited(self, appl, timeout):
        """The supervisor's exit status, or None if it still runs after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while appl.proc.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return appl.proc.poll()

    async def stop(self, appl, timeout=40.0):
        """SIGTERM to the supervisor; its exit status (None: still running after `timeout`, then killed)."""
        appl.proc.send_signal(signal.SIGTERM)
        code = await self.exited(appl, timeout)
        if code is None:
            appl.kill_tree()
        else:
            appl.proc = None
        return code

    def log_tail(self, appl, count=3, levels=("error", "critical")):
        """The last `count` log lines at `levels` (or plain text), shortened: what an operator would read first."""
        found = []
        try:
            with open(appl.log_path, errors="replace") as f:
                for line in f:
                    try:
                        entry = json.loads(line)
                        if isinstance(entry, dict) and entry.get("level") in levels:
                            found.append(line.strip()[:300])
                    except ValueError:
                        if line.strip():
                            found.append(line.strip()[:300])
        except FileNotFoundError:
            return "(no log)"
        return " | ".join(found[-count:]) or "(nothing at error level)"

    async def no_streaming(self, appl, timeout):
        """Waits until no row is `streaming`; the count left (0 when it got there)."""
        deadline = time.monotonic() + timeout
        while True:
            left = await asyncio.to_thread(invariants.streaming_rows, appl.db)
            if left == 0 or time.monotonic() >= deadline:
                return left
            await asyncio.sleep(0.5)

    # --- the common end

    async def recovery(self, appl, timeout=30.0):
        """The appliance serves again without a human: /ready 200 and a new chat turn completes."""
        t0 = time.monotonic()
        ready = await self.wait_ready(appl, timeout)
        status, body = await self.readiness(appl)
        if not self.that(ready, f"recovery: /ready not 200 within {timeout:.0f} s (last: {status} {json.dumps(body)})"):
            return False
        turn = await self.ledger.chat(appl.web, model=self.recovery_model, timeout=30)
        self.that(turn.status == 200 and turn.done == "complete" and not turn.failure,
                  f"recovery: a new chat turn did not complete: {turn.describe()}, done {turn.done}, errors {turn.errors}")
        self.figure(f"recovered: ready and a new turn complete {time.monotonic() - t0:.1f} s after the check began")
        return True

    async def settle(self, appl, recover=True, drain_timeout=45.0, expect_exit=0):
        """The end of every scenario: recovery, no answer left streaming, a clean stop, then the invariants."""
        if recover:
            await self.recovery(appl)
        left = await self.no_streaming(appl, drain_timeout)
        self.that(left == 0, f"{left} answers still 'streaming' {drain_timeout:.0f} s after the load ended "
                             f"(the appliance running)")
        code = await self.stop(appl)
        self.that(code == expect_exit, f"SIGTERM at the end: exit status {code}, expected {expect_exit}; "
                                       f"log: {self.log_tail(appl)}")
        self.invariants(appl)

    def invariants(self, appl):
        failures, figures = invariants.database_failures(appl.db, self.ledger)
        self.failures += failures
        self.failures += invariants.http_failures(self.ledger)
        for other in self.appliances:
            self.failures += [f"{other.name}: {f}" for f in invariants.log_failures(other.log_path)]
        self.figure(figures)
        self.summary = figures

    def close(self):
        """Kills whatever still runs (the scenario's own processes only), then runs the clean-ups (unmounts)."""
        for appl in self.appliances:
            if appl.proc and appl.proc.poll() is None:
                appl.kill_tree()
        for pid in self.strays:
            if alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        for fake in self.fakes:
            fake.stop()
        for cleanup in reversed(self.cleanups):
            try:
                cleanup()
            except Exception as error:  # a clean-up must not hide the scenario's own result
                self.failures.append(f"clean-up failed: {error}")

    def remove_work(self):
        shutil.rmtree(self.work, ignore_errors=True)
