"""Browser tests of the UI: the real debug binary against the fake OpenRouter, driven in Debian's chromium.

Session fixtures start `.build/debug/fake-openrouter --port 0` and `.build/debug/neural-terminal run` on free
loopback ports with a temporary data directory, wait for `/ready`, and stop both at the end (SIGTERM, then
SIGKILL). Each test gets a fresh browser context in which every request to another origin is blocked and
recorded, and in which page errors, CSP violations and dialogs are recorded: the `page` fixture fails the test
if any of them happened (tests that expect some assert on them themselves and clear the lists).

Nothing is skipped: a missing binary or browser is an error, and a run that collects no tests or skips any
fails (see pytest_sessionfinish), so `make test` can never pass by running nothing.
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("NEURAL_TERMINAL_BIN_DIR", ROOT / ".build/debug"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "artifacts/screenshots"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# The fake streams slowly enough for a person (and a test) to watch the text grow: 30 tokens × 40 ms.
FAKE_ARGS = ["--quiet", "--tokens", "30", "--token-delay-ms", "40", "--ttft-ms", "80"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(url: str, method: str = "GET", body: dict | None = None, timeout: float = 5) -> tuple[int, dict | str]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            text = res.read().decode()
            status = res.status
    except urllib.error.HTTPError as err:
        text = err.read().decode()
        status = err.code
    try:
        return status, json.loads(text) if text else {}
    except json.JSONDecodeError:
        return status, text


def stop_process(proc: subprocess.Popen, grace: float = 10) -> None:
    """SIGTERM, wait, then SIGKILL: only the process we started (its workers follow their supervisor)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@dataclass
class Fake:
    proc: subprocess.Popen
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def stats(self) -> dict:
        return http_json(f"http://127.0.0.1:{self.port}/_fake/stats")[1]


@dataclass
class Appliance:
    proc: subprocess.Popen
    web_port: int
    metrics_port: int
    directory: pathlib.Path
    config: pathlib.Path
    log: pathlib.Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def api(self, path: str, method: str = "GET", body: dict | None = None):
        return http_json(self.url + path, method, body)


@pytest.fixture(scope="session")
def fake():
    binary = BIN / "fake-openrouter"
    assert binary.exists(), f"{binary} is missing: run `swift build` (make test-browser does)"
    proc = subprocess.Popen([str(binary), "--port", "0", *FAKE_ARGS], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    port = int(json.loads(line)["listening"].rsplit(":", 1)[1])
    yield Fake(proc, port)
    stop_process(proc, grace=5)


def start_appliance(fake, extra_config: str = "", prefix: str = "nt-browser-") -> Appliance:
    """The debug binary on free loopback ports with a fresh data directory, ready (models fetched)."""
    binary = BIN / "neural-terminal"
    assert binary.exists(), f"{binary} is missing: run `swift build` (make test-browser does)"
    directory = pathlib.Path(tempfile.mkdtemp(prefix=prefix))
    web, metrics = free_port(), free_port()
    while metrics == web:
        metrics = free_port()
    config = directory / "neural-terminal.toml"
    config.write_text(
        f'server.listen = "127.0.0.1:{web}"\n'
        f'metrics.listen = "127.0.0.1:{metrics}"\n'
        f'storage.data_dir = "{directory}/data"\n'
        "supervisor.shutdown_grace_seconds = 3\n"
        f'upstream.base_url = "{fake.base_url}"\n'
        'upstream.default_model = "fake/lorem"\n'
        "upstream.idle_timeout_seconds = 2\n"
        "upstream.first_byte_timeout_seconds = 2\n" + extra_config
    )
    log = directory / "appliance.log"
    # No config overrides leak in from the caller's environment; NEURAL_TERMINAL_ASSETS_DIR may (UI iteration
    # against the files on disk without a rebuild; `make test-browser` never sets it).
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEURAL_TERMINAL_") or k == "NEURAL_TERMINAL_ASSETS_DIR"}
    env["OPENROUTER_API_KEY"] = "sk-or-v1-browsertest0000000000000000000000000000"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(binary), "run", "--config", str(config)], stdout=out, stderr=subprocess.STDOUT, env=env)
    app = Appliance(proc, web, metrics, directory, config, log)
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, f"neural-terminal exited with {proc.returncode}:\n{log.read_text()[-3000:]}"
        try:
            if http_json(f"http://127.0.0.1:{metrics}/ready", timeout=1)[0] == 200:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, f"not ready after 30 s:\n{log.read_text()[-3000:]}"
        time.sleep(0.1)
    return app


def stop_appliance(app: Appliance) -> None:
    stop_process(app.proc)
    shutil.rmtree(app.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def appliance(fake):
    app = start_appliance(fake)
    # The models catalog is fetched in the background at start; wait for it so the picker lists the fakes.
    deadline = time.monotonic() + 10
    while not app.api("/api/models")[1].get("data") and time.monotonic() < deadline:
        time.sleep(0.1)
    yield app
    stop_appliance(app)


@pytest.fixture(scope="session")
def browser():
    assert pathlib.Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: install Debian's chromium (scripts/install-deps.sh)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        yield b
        b.close()


@dataclass
class Watch:
    """What a page did that a test must know about."""
    foreign_requests: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)
    csp_violations: list = field(default_factory=list)
    dialogs: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)


def open_page(browser, appliance, viewport=DESKTOP, **context_args):
    """A fresh context and page at the appliance, with foreign requests blocked and everything recorded."""
    context, page, watch = new_watched_page(browser, viewport, **context_args)
    page.goto(appliance.url + "/")
    page.wait_for_selector("body[data-ready='true']")
    return context, page, watch


def new_watched_page(browser, viewport=DESKTOP, **context_args):
    """A fresh context and a blank page in it, with foreign requests blocked and everything recorded (for a test
    that goes somewhere else first, such as the login page)."""
    context = browser.new_context(viewport=viewport, accept_downloads=True, **context_args)
    watch = Watch()

    def guard(route):
        url = route.request.url
        host = urlparse(url).hostname
        if url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            watch.foreign_requests.append(url)
            route.abort()

    context.route("**/*", guard)
    # CSP violations as the page itself sees them (besides the console messages chromium prints).
    context.add_init_script("""window.__csp = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));""")
    page = context.new_page()
    page.on("pageerror", lambda err: watch.page_errors.append(str(err)))
    page.on("dialog", lambda d: (watch.dialogs.append(d.message), d.dismiss()))

    def on_console(msg):
        if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text:
            watch.csp_violations.append(msg.text)
        elif msg.type == "error":
            watch.console_errors.append(msg.text)

    page.on("console", on_console)
    return context, page, watch


@pytest.fixture
def watched(browser, appliance):
    """(page, watch) on a desktop viewport; fails the test on foreign requests, page errors, CSP violations or
    unexpected dialogs."""
    context, page, watch = open_page(browser, appliance)
    yield page, watch
    try:
        if not page.is_closed():
            watch.csp_violations += page.evaluate("window.__csp || []")
        assert watch.foreign_requests == [], f"requests to other origins: {watch.foreign_requests}"
        assert watch.page_errors == [], f"script errors: {watch.page_errors}"
        assert watch.csp_violations == [], f"CSP violations: {watch.csp_violations}"
        assert watch.dialogs == [], f"dialogs opened: {watch.dialogs}"
    finally:
        context.close()


@pytest.fixture
def page(watched):
    return watched[0]


def shot(page, name: str) -> pathlib.Path:
    """Saves artifacts/screenshots/<name>.png (a test artifact; look at them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.mouse.move(1, page.viewport_size["height"] - 1)  # no hover highlight left on the last clicked button
    page.screenshot(path=str(path), full_page=False)
    return path


def pytest_sessionfinish(session, exitstatus):
    """No silent passes: collecting nothing, or skipping anything, fails the run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if session.testscollected == 0:
        print("\nbrowser tests: no tests were collected; that is a failure, not a pass")
        session.exitstatus = 5
    elif skipped:
        print(f"\nbrowser tests: {skipped} skipped; a skip would hide a missing browser or binary, so it fails the run")
        session.exitstatus = 1
