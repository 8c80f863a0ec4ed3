"""Small actions the browser tests share: start a session, send, wait for the answer's final state."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

LAST_ANSWER = "#transcript article.msg-assistant >> nth=-1"

# The visible controls smaller than 44 × 44 px (none may be on a phone; links inside message text excepted).
CONTROLS_UNDER_44 = """() => [...document.querySelectorAll(
    'button, a[href], select, input:not([type=hidden]), textarea, summary, [tabindex="0"]')]
  .filter(e => e.offsetParent !== null && !e.closest('dialog:not([open])') && !e.closest('.msg-body p, .msg-body li'))
  .filter(e => e.id !== 'transcript')
  .map(e => { const r = e.getBoundingClientRect(); return [e.id || e.className || e.tagName, Math.round(r.width), Math.round(r.height)]; })
  .filter(([, w, h]) => w < 44 || h < 44)"""


def new_session(page: Page) -> str:
    """Clicks INITIALIZE SESSION; returns the new conversation id (from the URL)."""
    before = page.url
    page.click("#new-session")
    page.wait_for_function("(before) => location.href !== before && /#\\/c\\//.test(location.hash)", arg=before)
    expect(page.locator("#transcript")).to_contain_text("SESSION READY")
    # The page reloads the session list and then puts the focus in the input: a test that moves the focus
    # itself (Tab, a click) before that would see it jump back.
    expect(page.locator("#input")).to_be_focused()
    return page.evaluate("location.hash.slice(4)")


def set_model(page: Page, model: str) -> None:
    page.select_option("#model", model)
    expect(page.locator("#console")).to_contain_text(f"MODEL SET: {model}")


def send(page: Page, text: str) -> None:
    """Types into the input and presses Enter (the keyboard path; TRANSMIT is tested separately)."""
    page.fill("#input", text)
    page.press("#input", "Enter")


def wait_final(page: Page, timeout: float = 20_000) -> str:
    """Waits until the last answer is no longer streaming and the page has its stored figures (no turn busy);
    returns its state (complete, stopped, error, ...)."""
    page.wait_for_function(
        """() => { const a = [...document.querySelectorAll('#transcript article.msg-assistant')].pop();
                   return a && a.dataset.status && a.dataset.status !== 'streaming' && !document.body.dataset.turn; }""",
        timeout=timeout,
    )
    return page.locator(LAST_ANSWER).get_attribute("data-status")


def last_answer_text(page: Page) -> str:
    return page.locator(LAST_ANSWER).locator(".msg-body").inner_text()


def money(text: str) -> float:
    m = re.search(r"\$([0-9.e-]+)", text)
    assert m, f"no amount in {text!r}"
    return float(m.group(1))
