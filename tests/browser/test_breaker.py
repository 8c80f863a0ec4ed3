"""The circuit breakers as a researcher meets them: a failing model is refused on its own while every other model
answers; a 402 or 403 never refuses anything; a refusal's "(in N s)" counts down, and when it reaches zero the page
sends the message again by itself, which closes the breaker once the upstream is back."""
import json
import re
import subprocess

import pytest
from playwright.sync_api import expect

from conftest import BIN, FAKE_ARGS, Fake, free_port, open_page, shot, start_appliance, stop_appliance, stop_process
from helpers import LAST_ANSWER, new_session, send, set_model, wait_final

BREAKER = "breaker.failure_threshold = 2\nbreaker.open_seconds = {open}\nretry.max_attempts = 0\n"


def start_fake(port: int = 0) -> Fake:
    proc = subprocess.Popen([str(BIN / "fake-openrouter"), "--port", str(port), *FAKE_ARGS], stdout=subprocess.PIPE, text=True)
    return Fake(proc, int(json.loads(proc.stdout.readline())["listening"].rsplit(":", 1)[1]))


@pytest.fixture
def strict(fake):
    """An appliance whose breakers open after 2 failures, for 30 s (a model stays refused through the test)."""
    app = start_appliance(fake, BREAKER.format(open=30), prefix="nt-browser-breaker-")
    yield app
    stop_appliance(app)


def test_a_failing_model_is_refused_alone_and_the_others_answer(browser, strict, fake):
    context, page, watch = open_page(browser, strict)
    try:
        page.wait_for_function("() => document.querySelectorAll('#model option').length > 5")
        new_session(page)
        # The request's own problems (no credit, moderation) never open a breaker, however often.
        for model in ["fake/http-402", "fake/http-403"]:
            set_model(page, model)
            for i in range(3):
                send(page, f"refused {i}")
                assert wait_final(page) == "error"
        assert strict.api("/api/usage")[1]["circuit_breaker"]["models"] == []

        set_model(page, "fake/http-500")
        for i in range(2):
            send(page, f"fail {i}")
            assert wait_final(page) == "error"
        requests = fake.stats()["requests"]
        send(page, "once more")
        notice = page.locator("#transcript .notice")
        expect(notice).to_contain_text("UPSTREAM CIRCUIT OPEN (circuit_open): the model fake/http-500 is failing")
        expect(notice).to_contain_text("other models can be used")
        expect(notice.locator(".countdown")).to_have_text(re.compile(r"^\(in \d+ s\)$"))
        expect(page.locator("#input")).to_have_value("once more")
        assert fake.stats()["requests"] == requests, "refused without reaching the upstream"
        shot(page, "breaker-model-refused-desktop")

        # Another model answers at once.
        set_model(page, "fake/lorem")
        page.fill("#input", "")
        send(page, "and you?")
        assert wait_final(page) == "complete"
        expect(page.locator(LAST_ANSWER).locator(".msg-body")).to_contain_text("Lorem")
        breaker = strict.api("/api/usage")[1]["circuit_breaker"]
        assert breaker["state"] == "closed"
        assert [(m["model"], m["state"]) for m in breaker["models"]] == [("fake/http-500", "open")]
        shot(page, "breaker-other-model-answers-desktop")

        page.click("#nav-diagnostics")
        expect(page.locator("#diag-body")).to_contain_text("fake/http-500")
        shot(page, "breaker-diagnostics-desktop")
        assert watch.page_errors == [] and watch.csp_violations == [] and watch.foreign_requests == []
    finally:
        context.close()


def test_the_countdown_runs_and_the_page_retries_by_itself_when_the_upstream_is_back(browser):
    port = free_port()  # nothing listens here until the fake starts below
    dead = Fake(None, port)
    app = start_appliance(dead, BREAKER.format(open=4), prefix="nt-browser-breaker-")
    revived = None
    context, page, watch = open_page(browser, app)
    try:
        new_session(page)
        for i in range(2):
            send(page, f"anyone there {i}?")
            assert wait_final(page) == "error"
        expect(page.locator(LAST_ANSWER).locator(".err-line")).to_contain_text("connect")
        send(page, "hello again")
        notice = page.locator("#transcript .notice")
        expect(notice).to_contain_text("the upstream is failing; the circuit breaker retries at")
        countdown = notice.locator(".countdown")
        expect(countdown).to_have_text(re.compile(r"^\(in [34] s\)$"))
        shot(page, "breaker-countdown-start-desktop")
        expect(countdown).to_have_text("(in 2 s)", timeout=5000)
        shot(page, "breaker-countdown-running-desktop")

        # The upstream comes back while the page counts down: nobody touches the page.
        revived = start_fake(port)
        expect(notice).to_have_count(0, timeout=8000)
        assert wait_final(page) == "complete"
        expect(page.locator("#transcript article.msg-user").last).to_contain_text("hello again")
        expect(page.locator("#input")).to_have_value("")
        assert app.api("/api/usage")[1]["circuit_breaker"]["state"] == "closed"
        shot(page, "breaker-retried-by-itself-desktop")
        assert watch.page_errors == [] and watch.csp_violations == [] and watch.foreign_requests == []
    finally:
        context.close()
        stop_appliance(app)
        if revived:
            stop_process(revived.proc, grace=5)
