"""An answer the upstream sent no usage for (fake/no-usage) costs an estimate at once: `~$` on the answer and in
the meter, a tooltip saying it awaits OpenRouter's figure, the day's spend saying how much is estimated, `~$` in
the Markdown export. Once OpenRouter's record of the generation exists (this fake lags it by 4 s, as OpenRouter
does) the appliance reconciles the cost; the open page then shows the exact cost without `~`, and so does a
reload."""
import json
import pathlib
import re
import subprocess
import time

import pytest
from playwright.sync_api import expect

from conftest import BIN, FAKE_ARGS, Fake, http_json, open_page, shot, start_appliance, stop_appliance, stop_process
from helpers import LAST_ANSWER, money, new_session, send, set_model, wait_final

LAG_MS = 4000


@pytest.fixture(scope="module")
def lagging():
    """A fake whose /generation answers 404 for LAG_MS after each stream, and an appliance using it."""
    binary = BIN / "fake-openrouter"
    proc = subprocess.Popen([str(binary), "--port", "0", *FAKE_ARGS, "--generation-lag-ms", str(LAG_MS)],
                            stdout=subprocess.PIPE, text=True)
    fake = Fake(proc, int(json.loads(proc.stdout.readline())["listening"].rsplit(":", 1)[1]))
    app = start_appliance(fake, "budget.daily_usd = 5.0\n", prefix="nt-browser-cost-")
    deadline = time.monotonic() + 10
    while not app.api("/api/models")[1].get("data") and time.monotonic() < deadline:
        time.sleep(0.1)
    yield app, fake
    stop_appliance(app)
    stop_process(proc, grace=5)


def stored_answer(app, conversation: str) -> dict:
    return app.api(f"/api/conversations/{conversation}")[1]["messages"][-1]


def test_an_answer_without_usage_shows_an_estimate_until_openrouter_has_its_figure(browser, lagging):
    app, fake = lagging
    context, page, watch = open_page(browser, app)
    try:
        conversation = new_session(page)
        set_model(page, "fake/no-usage")
        send(page, "Tell me something")
        assert wait_final(page) == "complete"

        cost = page.locator(LAST_ANSWER).locator(".msg-meta .cost")
        expect(cost).to_have_text(re.compile(r"^~\$\d"))
        expect(cost).to_have_attribute("data-source", "estimated")
        assert "awaiting OpenRouter's own figure" in cost.get_attribute("title")
        expect(page.locator("#meter-answer")).to_have_text(re.compile(r"^~\$\d"))
        expect(page.locator("#meter-today")).to_have_text(re.compile(r"^\$\S+ \(~\$\S+ estimated\) / \$5\.00 \(\d+%\)$"))
        expect(page.locator("#meter-session")).to_contain_text("estimated")
        estimate = stored_answer(app, conversation)
        assert estimate["cost_source"] == "estimated" and estimate["cost_usd"] > 0
        with page.expect_download() as md:
            page.click("#export-md")
        markdown = pathlib.Path(md.value.path()).read_text()
        assert re.search(r"### ASSISTANT · fake/no-usage · [\d,]+ tokens · ~\$[\d.]+ · complete", markdown), markdown
        assert "estimated)" in markdown
        shot(page, "terminal-estimated-cost-desktop")

        # OpenRouter's record appears after the lag; the appliance replaces the estimate with it.
        deadline = time.monotonic() + 60
        while stored_answer(app, conversation)["cost_source"] != "reconciled":
            assert time.monotonic() < deadline, f"not reconciled after 60 s: {stored_answer(app, conversation)}"
            time.sleep(0.5)
        final = stored_answer(app, conversation)
        status, record = http_json(f"http://127.0.0.1:{fake.port}/api/v1/generation?id={final['generation_id']}")
        assert status == 200 and final["cost_usd"] == record["data"]["total_cost"]

        # The open page re-reads an estimated answer a few times: it turns exact without a reload.
        expect(cost).to_have_attribute("data-source", "reconciled", timeout=60_000)
        expect(cost).not_to_contain_text("~")
        expect(page.locator("#meter-answer")).not_to_contain_text("~")

        page.reload()
        page.wait_for_selector("body[data-ready='true']")
        cost = page.locator(LAST_ANSWER).locator(".msg-meta .cost")
        expect(cost).to_have_attribute("data-source", "reconciled")
        expect(cost).to_have_text(re.compile(r"^\$\d"))
        assert cost.get_attribute("title") is None
        assert abs(money(cost.inner_text()) - final["cost_usd"]) <= final["cost_usd"] * 0.05
        expect(page.locator("#meter-answer")).to_have_text(re.compile(r"^\$\d"))
        expect(page.locator("#meter-today")).not_to_contain_text("estimated")
        expect(page.locator("#meter-session")).not_to_contain_text("estimated")
        shot(page, "terminal-reconciled-cost-desktop")
        watch.csp_violations += page.evaluate("window.__csp || []")
        assert watch.page_errors == [] and watch.foreign_requests == [] and watch.csp_violations == [], watch
    finally:
        context.close()
