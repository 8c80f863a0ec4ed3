"""SYSTEM DIAGNOSTICS shows real figures: the version the server reports, the pids of the running workers (as the
supervisor's control socket and /proc know them), the checks, and the spend chart (or n/a without /api/usage)."""
import json
import os
import subprocess

from playwright.sync_api import expect

from conftest import BIN, PHONE, open_page, shot


def supervisor_status(appliance) -> dict:
    out = subprocess.run([str(BIN / "neural-terminal"), "status", "--json", "--config", str(appliance.config)],
                         capture_output=True, text=True, timeout=10, check=True)
    return json.loads(out.stdout)


def test_diagnostics_show_the_running_appliance(page, appliance):
    page.click("#nav-diagnostics")
    expect(page.locator("#diagnostics")).to_be_visible()
    expect(page.locator("#terminal")).to_be_hidden()
    expect(page.locator("#nav-diagnostics")).to_have_attribute("aria-current", "page")
    expect(page.locator("#diag-status")).to_have_text("OK")

    status, version = appliance.api("/api/version")
    assert status == 200
    card = page.locator("section[aria-label='OVERALL STATUS']")
    expect(card).to_contain_text(version["version"])
    expect(card).to_contain_text(version["commit"])
    expect(card).to_contain_text(version["sqlite"])
    checks = page.locator("section[aria-label='CHECKS']")
    for name in ["database", "upstream", "disk"]:
        expect(checks).to_contain_text(name)
    expect(checks.locator("dd.ok")).to_have_count(3)

    sup = supervisor_status(appliance)
    for worker in sup["workers"]:
        row = page.locator(f"#workers-table tr[data-role='{worker['role']}']")
        expect(row.locator("td.pid")).to_have_text(str(worker["pid"]))
        assert os.path.exists(f"/proc/{worker['pid']}"), "a real process"
        expect(row).to_contain_text("READY")
        expect(row).to_contain_text("MB")
    expect(page.locator("section[aria-label='SUPERVISOR']")).to_contain_text(str(sup["pid"]))
    expect(page.locator("section[aria-label='CIRCUIT BREAKER']")).to_be_visible()
    expect(page.locator("section[aria-label='LAST BACKUP']")).to_be_visible()

    usage_status, usage = appliance.api("/api/usage")
    if usage_status == 200:
        bars = page.locator("#spend-chart rect.bar")
        expect(bars).to_have_count(len(usage["by_day"]))
    else:
        expect(page.locator("#spend-na")).to_contain_text("n/a")
    shot(page, "diagnostics-desktop")

    page.click("#nav-terminal")
    expect(page.locator("#terminal")).to_be_visible()


def test_diagnostics_on_a_phone(browser, appliance):
    context, page, watch = open_page(browser, appliance, viewport=PHONE)
    try:
        page.goto(appliance.url + "/#/diagnostics")
        expect(page.locator("#diag-status")).to_have_text("OK")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(page, "diagnostics-phone")
        assert watch.page_errors == [] and watch.csp_violations == []
    finally:
        context.close()


def test_the_diagnostics_api_is_complete(appliance):
    status, d = appliance.api("/api/diagnostics")
    assert status == 200
    assert d["status"] == "ok"
    assert set(d["checks"]) == {"database", "upstream", "disk"}
    assert {w["role"] for w in d["workers"]} == {"web", "metrics", "maintenance"}
    for w in d["workers"]:
        assert set(w) == {"role", "pid", "up", "ready", "uptime_seconds", "restarts", "rss_bytes"}
    assert d["supervisor"]["state"] == "running"
    assert d["circuit_breaker"]["state"] == "closed"
    assert d["circuit_breaker"]["retry_at"] is None
    # No backup has run in a fresh appliance (or it is a file named after its UTC time).
    assert d["last_backup"] is None or d["last_backup"]["name"].startswith("neural-terminal-")
    assert d["version"] == appliance.api("/api/version")[1]


def usage_body(warn: bool):
    """An /api/usage answer in the documented shape: 30 days, oldest first, zeros included."""
    import datetime
    today = datetime.date(2026, 11, 30)
    days = [{"date": (today - datetime.timedelta(days=29 - i)).isoformat(),
             "spend_usd": 0.0 if i % 6 == 0 else round(0.05 * (i % 9) + 0.01, 4)} for i in range(30)]
    spend = 4.2 if warn else 0.12
    days[-1]["spend_usd"] = spend
    return {
        "today": {"date": "2026-11-30", "spend_usd": spend, "budget_usd": 5.0, "remaining_usd": 5.0 - spend, "warn": warn},
        "month": {"month": "2026-11", "spend_usd": 9.5, "budget_usd": 50.0, "remaining_usd": 40.5, "warn": False},
        "per_conversation_budget_usd": None, "warn_ratio": 0.8,
        "circuit_breaker": {"state": "closed", "retry_at": None},
        "by_model": [{"model": "fake/lorem", "spend_usd": 9.5, "messages": 40}],
        "by_day": days,
    }


def test_the_spend_chart_and_the_meter_use_the_usage_api(browser, appliance):
    """/api/usage is another module's route; its documented shape is staged here so the chart and the meter's
    amber state are tested whether or not that route exists on this build."""
    context, page, watch = open_page(browser, appliance)
    try:
        page.route("**/api/usage", lambda route: route.fulfill(status=200, content_type="application/json",
                                                               body=json.dumps(usage_body(warn=True))))
        page.reload()
        page.wait_for_selector("body[data-ready='true']")
        expect(page.locator("#meter-today")).to_have_text("$4.20 / $5.00 (84%)")
        expect(page.locator("#meter-today")).to_have_attribute("data-level", "warn")
        color = page.evaluate("getComputedStyle(document.getElementById('meter-today')).color")
        assert color == "rgb(255, 176, 0)", "amber past the warning ratio"
        page.click("#nav-diagnostics")
        chart = page.locator("#spend-chart")
        expect(chart.locator("rect.bar")).to_have_count(30)
        expect(chart.locator("rect.bar.today")).to_have_count(1)
        assert chart.locator("rect.bar").first.get_attribute("data-date") == "2026-11-01"
        assert "last 30 days" in chart.get_attribute("aria-label")
        expect(page.locator("section[aria-label='CIRCUIT BREAKER']")).to_contain_text("CLOSED")
        heights = chart.locator("rect.bar").evaluate_all("els => els.map(e => Number(e.getAttribute('height')))")
        assert heights[0] == 0 and max(heights) > 100, heights
        shot(page, "diagnostics-spend-desktop")
        assert watch.page_errors == [] and watch.csp_violations == [] and watch.foreign_requests == []
    finally:
        context.close()
