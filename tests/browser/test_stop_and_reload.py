"""Esc stops an answer and its upstream transfer; a page reloaded mid-answer shows how far it got and how it ended."""
import time

from playwright.sync_api import expect

from conftest import shot
from helpers import LAST_ANSWER, last_answer_text, new_session, send, set_model, wait_final


def wait_for_disconnects(fake, before: int, timeout: float = 5) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = fake.stats().get("client_disconnects", 0)
        if now > before:
            return now
        time.sleep(0.05)
    return fake.stats().get("client_disconnects", 0)


def test_escape_stops_the_answer_and_the_upstream_transfer(page, fake):
    new_session(page)
    set_model(page, "fake/slow")
    before = fake.stats().get("client_disconnects", 0)
    send(page, "a long answer please")
    expect(page.locator("#stop")).to_be_visible()
    page.wait_for_function("() => document.querySelector('#transcript article.msg-assistant .msg-body').innerText.length > 20")
    page.keyboard.press("Escape")
    assert wait_final(page) == "stopped"
    answer = page.locator(LAST_ANSWER)
    expect(answer.locator(".state").first).to_have_text("STOPPED")
    expect(answer.locator(".cursor")).to_have_count(0)
    expect(page.locator("#stop")).to_be_hidden()
    kept = last_answer_text(page)
    assert len(kept) > 20
    assert wait_for_disconnects(fake, before) > before, "the upstream saw the transfer end (billing stops)"
    time.sleep(0.5)
    assert last_answer_text(page) == kept, "no text arrives after the stop"
    shot(page, "terminal-stopped-desktop")

    # The page keeps working: another answer goes through.
    set_model(page, "fake/lorem")
    send(page, "and now a short one")
    assert wait_final(page) == "complete"


def test_a_reload_mid_answer_follows_the_answer_live_and_stops_it(page):
    """The answer outlives the page: after a reload it is still streaming, followed live from where it is, and
    Esc on the reloaded page stops it, with the reason shown at once."""
    conversation = new_session(page)
    set_model(page, "fake/slow")
    send(page, "stream for a while")
    page.wait_for_function("() => document.querySelector('#transcript article.msg-assistant .msg-body').innerText.length > 30")
    page.reload()
    assert page.evaluate("location.hash") == f"#/c/{conversation}"
    expect(page.locator("#transcript article.msg-user .msg-body")).to_have_text("stream for a while")
    expect(page.locator("#stop")).to_be_visible()
    grown = len(last_answer_text(page)) + 40
    page.wait_for_function(
        "(n) => document.querySelector('#transcript article.msg-assistant .msg-body').innerText.length > n", arg=grown
    )
    shot(page, "terminal-reattached-desktop")
    page.keyboard.press("Escape")
    assert wait_final(page) == "stopped"
    answer = page.locator(LAST_ANSWER)
    expect(answer.locator(".state").first).to_have_text("STOPPED")
    expect(answer).to_contain_text("stopped by the user")
    assert len(last_answer_text(page)) > 60, "the answer as far as it got"


def test_a_second_tab_follows_the_answer_and_either_tab_stops_it(page):
    new_session(page)
    set_model(page, "fake/slow")
    send(page, "a long one for two tabs")
    page.wait_for_function("() => document.querySelector('#transcript article.msg-assistant .msg-body').innerText.length > 20")
    second = page.context.new_page()
    try:
        second.goto(page.url)
        second.wait_for_function("() => document.body.dataset.ready === 'true'")
        expect(second.locator("#stop")).to_be_visible()
        shown = len(last_answer_text(second)) + 40
        second.wait_for_function(
            "(n) => document.querySelector('#transcript article.msg-assistant .msg-body').innerText.length > n", arg=shown
        )
        shot(second, "terminal-second-tab-desktop")
        second.keyboard.press("Escape")
        assert wait_final(second) == "stopped"
        assert wait_final(page) == "stopped", "the tab that started it sees the stop too"
        expect(page.locator(LAST_ANSWER)).to_contain_text("stopped by the user")
        expect(page.locator("#stop")).to_be_hidden()
    finally:
        second.close()
