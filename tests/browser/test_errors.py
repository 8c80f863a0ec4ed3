"""Failure is visible, never blank: each error state shows a terminal-style line with what happened and what
to do, and the rest of the page keeps working. Upstream faults come from the fake's models; refusals the
server makes before any stream (budget, breaker, 500) and a lost network are staged with page.route."""
import json

import pytest
from playwright.sync_api import expect

from conftest import shot
from helpers import LAST_ANSWER, new_session, send, set_model, wait_final

UPSTREAM_FAULTS = [
    ("fake/http-429", "upstream_429", "Provider returned error", "Rate limited"),
    ("fake/http-503", "upstream_503", "No allowed providers", "switch model"),
    ("fake/http-402", "upstream_402", "Insufficient credits", "out of credits"),
    ("fake/cut", "stream_cut", "", "dropped the connection"),
]


@pytest.mark.parametrize("model,code,message,hint", UPSTREAM_FAULTS, ids=[f[0] for f in UPSTREAM_FAULTS])
def test_an_upstream_fault_shows_its_message_and_what_to_do(page, model, code, message, hint):
    new_session(page)
    set_model(page, model)
    send(page, "provoke " + model)
    assert wait_final(page) == "error"
    line = page.locator(LAST_ANSWER).locator(".err-line")
    expect(line).to_contain_text(code)
    expect(line).to_contain_text(message)
    expect(line.locator(".hint")).to_contain_text(hint)
    expect(page.locator(LAST_ANSWER).locator(".state").first).to_have_text("ERROR")
    expect(page.locator("#console")).to_contain_text(f"ANSWER FAILED ({code})")
    if model == "fake/cut":
        assert page.locator(LAST_ANSWER).locator(".msg-body").inner_text().strip() != "", "partial text is kept"
    if model == "fake/http-429":
        shot(page, "error-upstream-desktop")
    # The page keeps working, and regenerate (on the failed answer) now succeeds with a good model.
    set_model(page, "fake/lorem")
    page.locator(LAST_ANSWER).locator("button.regen").click()
    assert wait_final(page) == "complete"
    expect(page.locator("#transcript article.msg-assistant")).to_have_count(1)


def refuse(page, status, code, message):
    """Makes the next message POST answer `status` with an API error body, as the server's refusals do."""
    def handler(route):
        if route.request.method == "POST" and route.request.url.endswith("/messages"):
            route.fulfill(status=status, content_type="application/json",
                          body=json.dumps({"error": {"code": code, "message": message}}))
        else:
            route.fallback()
    page.route("**/api/conversations/*/messages", handler)


def test_a_budget_refusal_turns_the_meter_red_and_gives_the_message_back(page):
    new_session(page)
    refuse(page, 402, "budget_exceeded", "daily budget of $5.00 reached")
    send(page, "this costs money")
    expect(page.locator("#transcript .notice")).to_contain_text("BUDGET EXCEEDED (budget_exceeded): daily budget of $5.00 reached")
    expect(page.locator("#transcript .notice .hint")).to_contain_text("Raise the budget")
    expect(page.locator("#meter-today")).to_have_attribute("data-level", "err")
    expect(page.locator("#input")).to_have_value("this costs money")
    expect(page.locator("#transcript article.msg-user")).to_have_count(0)
    shot(page, "error-budget-desktop")
    page.unroute("**/api/conversations/*/messages")
    page.click("#transmit")
    assert wait_final(page) == "complete"
    expect(page.locator("#meter-today")).not_to_have_attribute("data-level", "err")


def test_an_open_circuit_breaker_says_when_to_retry(page):
    new_session(page)
    refuse(page, 503, "circuit_open", "the upstream failed 5 times; retry after 2026-11-30T05:00:30Z")
    send(page, "hello?")
    notice = page.locator("#transcript .notice")
    expect(notice).to_contain_text("UPSTREAM CIRCUIT OPEN (circuit_open)")
    expect(notice).to_contain_text("retry after")
    expect(notice).to_contain_text("resume automatically")


def test_a_server_error_shows_the_status_and_the_page_keeps_working(page):
    new_session(page)
    refuse(page, 500, "internal", "internal error")
    send(page, "boom")
    expect(page.locator("#transcript .notice")).to_contain_text("SERVER ERROR 500")
    expect(page.locator("#transcript .notice")).to_contain_text("request id")
    page.unroute("**/api/conversations/*/messages")
    page.click("#new-session")
    expect(page.locator("#transcript")).to_contain_text("SESSION READY")


def test_a_lost_network_is_reported_and_nothing_is_lost(page, watched):
    new_session(page)
    page.route("**/api/conversations/*/messages", lambda route: route.abort("internetdisconnected"))
    send(page, "are you there")
    expect(page.locator("#transcript .notice")).to_contain_text("NETWORK LOST")
    expect(page.locator("#transcript .notice")).to_contain_text("Check that neural-terminal is running")
    expect(page.locator("#input")).to_have_value("are you there")
    watched[1].console_errors.clear()


def test_a_stream_lost_mid_answer_is_visible(page):
    new_session(page)
    # The server's stream, cut by the "network" after a few events: the body simply ends without `done`.
    body = (
        'event: meta\ndata: {"conversation_id":"x","user_message_id":null,"assistant_message_id":"y","request_id":"r","model":"fake/lorem"}\n\n'
        'event: delta\ndata: {"text":"Half an ans"}\n\n'
    )
    page.route("**/api/conversations/*/messages", lambda route: route.fulfill(status=200, content_type="text/event-stream", body=body))
    send(page, "cut me off")
    assert wait_final(page) == "interrupted"
    expect(page.locator(LAST_ANSWER).locator(".err-line")).to_contain_text("stream_lost")
    expect(page.locator(LAST_ANSWER).locator(".msg-body")).to_contain_text("Half an ans")
