"""The keyboard: the transcript is focusable and scrolls from the message input (PageUp/PageDown, Ctrl+Home/End),
`?` and /keys show the shortcut list, the session list is one Tab stop with arrow keys, the rename field has a
label. The phone: every control is at least 44 × 44 px, and on a touch screen Enter is a new line and TRANSMIT
sends."""
from playwright.sync_api import expect

from conftest import PHONE, open_page, shot
from helpers import CONTROLS_UNDER_44, LAST_ANSWER, new_session, send, set_model, wait_final

LONG = "\n".join(f"line{n}" for n in range(60))


def scroll_top(page):
    return page.evaluate("document.getElementById('transcript').scrollTop")


def test_the_transcript_scrolls_from_the_input_and_the_shortcut_list_opens(page):
    new_session(page)
    set_model(page, "fake/echo")
    send(page, LONG)
    assert wait_final(page, timeout=30_000) == "complete"
    t = page.locator("#transcript")
    height = page.evaluate("(() => { const t = document.getElementById('transcript'); return t.scrollHeight - t.clientHeight; })()")
    assert height > 1000, "the transcript must overflow for this test"
    page.focus("#input")
    page.keyboard.press("Control+Home")
    assert scroll_top(page) == 0
    page.keyboard.press("PageDown")
    one_page = scroll_top(page)
    assert one_page > 300
    page.keyboard.press("PageDown")
    assert scroll_top(page) > one_page
    page.keyboard.press("PageUp")
    page.keyboard.press("PageUp")
    assert scroll_top(page) == 0
    page.keyboard.press("Control+End")
    assert scroll_top(page) >= height - 2
    assert page.evaluate("document.activeElement.id") == "input", "focus stays in the input"
    # The transcript itself is a Tab stop with a name, and scrolls with the keys when focused.
    assert t.get_attribute("tabindex") == "0" and "Transcript" in t.get_attribute("aria-label")
    t.focus()
    page.keyboard.press("Control+Home")
    page.keyboard.press("PageDown")
    assert scroll_top(page) > 0
    # Shift+Enter is a new line on a hardware keyboard.
    page.focus("#input")
    page.keyboard.type("one")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("two")
    assert page.input_value("#input") == "one\ntwo"
    page.fill("#input", "")

    # `?` outside a text field opens the shortcut list; in the input it is a question mark.
    page.focus("#input")
    page.keyboard.type("?")
    expect(page.locator("#shortcuts")).to_be_hidden()
    assert page.input_value("#input") == "?"
    page.fill("#input", "")
    t.focus()
    page.keyboard.press("?")
    dialog = page.locator("#shortcuts")
    expect(dialog).to_be_visible()
    for key in ["PageUp / PageDown", "Ctrl+Home / Ctrl+End", "Shift+Enter", "Ctrl+K", "Esc"]:
        expect(dialog.locator("kbd", has_text=key).first).to_be_visible()
    shot(page, "shortcuts-desktop")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    send(page, "/keys")
    expect(dialog).to_be_visible()
    page.click("#shortcuts-close")
    expect(dialog).to_be_hidden()


def test_the_session_list_is_one_tab_stop_and_the_rename_field_has_a_label(page, appliance):
    for n in range(6):
        assert appliance.api("/api/conversations", "POST", {"title": f"tab order {n}"})[0] == 201
    new_session(page)
    expect(page.locator("#session-list button.session-item").nth(6)).to_be_attached()
    page.focus("#new-session")
    path = []
    for _ in range(12):
        page.keyboard.press("Tab")
        path.append(page.evaluate("document.activeElement.id || document.activeElement.className"))
        if path[-1] == "model":
            break
    assert path[-1] == "model", f"the model picker is not reached within 12 Tabs: {path}"
    assert path.count("session-item") == 1, path
    # Arrow keys move through the list; Tab leaves it at once.
    page.focus("#new-session")
    while page.evaluate("document.activeElement.className") != "session-item":
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-current')") == "true", "enters at the open session"
    first = page.evaluate("document.activeElement.dataset.id")
    page.keyboard.press("ArrowDown")
    second = page.evaluate("document.activeElement.dataset.id")
    assert second != first and page.evaluate("document.activeElement.className") == "session-item"
    page.keyboard.press("End")
    last = page.evaluate("document.activeElement.dataset.id")
    assert last == page.locator("#session-list button.session-item").last.get_attribute("data-id")
    page.keyboard.press("Home")
    assert page.evaluate("document.activeElement.dataset.id") == page.locator("#session-list button.session-item").first.get_attribute("data-id")
    assert page.locator("#session-list button.session-item[tabindex='0']").count() == 1
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") != "session-item"

    # The rename field is named by a visible label.
    page.click("#rename")
    field = page.get_by_label("New title:")
    expect(field).to_be_visible()
    assert field.evaluate("e => e.id") == "dialog-input"
    assert field.evaluate("e => e.labels.length") == 1
    shot(page, "rename-labelled-desktop")
    page.keyboard.press("Escape")


def test_on_a_phone_every_control_is_44px_and_enter_types_a_newline(browser, appliance):
    context, page, watch = open_page(browser, appliance, viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        assert page.evaluate(CONTROLS_UNDER_44) == [], "controls under 44 px on the empty terminal"
        assert page.get_attribute("#input", "enterkeyhint") == "enter"
        page.click("#toggle-sessions")
        expect(page.locator("#new-session")).to_be_visible()
        assert page.evaluate(CONTROLS_UNDER_44) == [], "controls under 44 px in the session drawer"
        shot(page, "touch-targets-drawer-phone")
        page.click("#new-session")
        expect(page.locator("#transcript")).to_contain_text("SESSION READY")
        set_model(page, "fake/echo")
        # Enter is a new line on a touch screen; TRANSMIT sends.
        page.focus("#input")
        page.keyboard.type("first line")
        page.keyboard.press("Enter")
        page.keyboard.type("second line")
        assert page.input_value("#input") == "first line\nsecond line"
        expect(page.locator("#transcript article.msg-user")).to_have_count(0)
        shot(page, "newline-phone")
        page.click("#transmit")
        expect(page.locator("#transcript article.msg-user .msg-body")).to_have_text("first line\nsecond line")
        assert wait_final(page) == "complete"
        send_code = "```python\nprint(1)\n```"
        page.fill("#input", send_code)
        page.click("#transmit")
        assert wait_final(page) == "complete"
        expect(page.locator(LAST_ANSWER).locator("button.copy")).to_be_visible()
        page.evaluate("document.getElementById('transcript').scrollTop = 1e9")
        assert page.evaluate(CONTROLS_UNDER_44) == [], "controls under 44 px with answers, a code block and REGENERATE"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(page, "touch-targets-terminal-phone")
        page.click("#rename")
        expect(page.locator("#dialog")).to_be_visible()
        assert page.evaluate(CONTROLS_UNDER_44) == [], "controls under 44 px in the dialog"
        page.click("#dialog-cancel")
        assert watch.page_errors == [] and watch.csp_violations == [] and watch.foreign_requests == []
    finally:
        context.close()
