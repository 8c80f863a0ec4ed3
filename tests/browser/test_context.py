"""Context you can see and steer: the worst case and the context a message will fill, before sending; max tokens
and temperature per session; and which older messages were left out when the context window is full."""
from playwright.sync_api import expect

from conftest import shot
from helpers import new_session, send, set_model, wait_final


def test_the_page_shows_the_worst_case_and_which_messages_were_left_out(page):
    conversation = new_session(page)
    set_model(page, "fake/small-context")
    page.fill("#param-max", "50")
    page.fill("#input", "a first question")
    expect(page.locator("#preview")).to_contain_text("WORST CASE ≤ $")
    expect(page.locator("#preview")).to_contain_text("/ 600")

    words = " ".join(["long"] * 120)
    for i in range(3):
        send(page, f"message {i}: {words}")
        assert wait_final(page) == "complete"
    # The next message does not fit with the whole history: the page says so before sending.
    page.fill("#input", f"message 3: {words}")
    expect(page.locator("#preview")).to_contain_text("older messages will be left out")
    page.press("#input", "Enter")
    assert wait_final(page) == "complete"
    expect(page.locator("#console")).to_contain_text("LEFT OUT")
    trimmed = page.locator("#transcript article.trimmed")
    expect(trimmed.first).to_contain_text("NOT SENT: BEYOND THE CONTEXT WINDOW")
    assert trimmed.count() >= 2
    first = page.locator("#transcript article.msg-user").first
    expect(first).to_have_class("msg msg-user trimmed")
    shot(page, "terminal-context-trimmed-desktop")

    # The settings belong to the session: kept across a reload.
    page.reload()
    page.wait_for_function("() => document.body.dataset.ready === 'true'")
    assert page.evaluate("location.hash") == f"#/c/{conversation}"
    expect(page.locator("#param-max")).to_have_value("50")
