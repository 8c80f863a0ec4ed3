"""Edit and branch: a conversation is a tree. EDIT sends a changed user message as a new branch (Ctrl+Enter sends,
Esc cancels) whose answer streams in place of the old path; ‹ n/m › switch between alternatives (PUT …/leaf) and
the whole path below follows; regenerate keeps the previous answer as an alternative; a JSON export imported back
has the same tree and current branch; COPY puts a message's raw text on the clipboard (or shows it selected where
there is no clipboard); DELETE removes a message and its replies after asking; a search hit on another branch
opens that branch. The tree-changing controls wait while an answer streams, and are 44 px on a phone."""
import json

from playwright.sync_api import expect

from conftest import PHONE, open_page, shot
from helpers import CONTROLS_UNDER_44, LAST_ANSWER, new_session, send, set_model, wait_final

USERS = "#transcript article.msg-user"
USER_BODIES = "#transcript article.msg-user .msg-body"
ANSWER_BODIES = "#transcript article.msg-assistant .msg-body"


def tree(appliance, conversation):
    """Every message of the conversation as (id, parent_id, role, content), and the current leaf's id."""
    status, body = appliance.api(f"/api/conversations/{conversation}?view=tree")
    assert status == 200, body
    leaf = body.get("current_leaf_id", (body.get("conversation") or {}).get("current_leaf_id"))
    return sorted((m["id"], m["parent_id"], m["role"], m["content"]) for m in body["messages"]), leaf


def button(scope, name):
    return scope.get_by_role("button", name=name, exact=True)


def echo_session(page, *texts) -> str:
    """A new session answering with fake/echo (each answer repeats its message), with `texts` sent in turn."""
    conversation = new_session(page)
    set_model(page, "fake/echo")
    for text in texts:
        send(page, text)
        assert wait_final(page) == "complete"
    return conversation


def test_edit_makes_a_branch_both_stay_reachable_and_survive_export_and_import(watched, appliance, tmp_path):
    page, watch = watched
    conversation = echo_session(page, "alpha question", "alpha follow-up")
    users, answers = page.locator(USER_BODIES), page.locator(ANSWER_BODIES)
    expect(answers).to_have_text(["alpha question", "alpha follow-up"])
    first = page.locator(USERS).first
    expect(first.locator(".alternatives")).to_have_count(0)

    # EDIT turns the message into a labelled field holding its text; Esc gives the message back.
    button(first, "EDIT").click()
    field = first.get_by_label("EDIT MESSAGE")
    expect(field).to_be_focused()
    expect(field).to_have_value("alpha question")
    field.press("Escape")
    expect(first.locator(".msg-edit")).to_have_count(0)
    expect(first.locator(".msg-body")).to_have_text("alpha question")
    expect(button(first, "EDIT")).to_be_focused()

    # Ctrl+Enter sends the edit: its answer streams in place of the whole old path below the message.
    button(first, "EDIT").click()
    field.fill("beta question")
    shot(page, "branch-edit-desktop")
    field.press("Control+Enter")
    assert wait_final(page) == "complete"
    expect(users).to_have_text(["beta question"])
    expect(answers).to_have_text(["beta question"])
    expect(first.locator(".alt-count")).to_have_text("2/2")
    expect(first.get_by_role("group", name="alternative 2 of 2")).to_be_visible()
    expect(button(first, "next alternative")).to_be_disabled()
    shot(page, "branch-new-desktop")

    # ‹ shows the old branch with everything below it, › the new one; the focus stays on the control.
    button(first, "previous alternative").click()
    expect(users).to_have_text(["alpha question", "alpha follow-up"])
    expect(answers).to_have_text(["alpha question", "alpha follow-up"])
    expect(first.locator(".alt-count")).to_have_text("1/2")
    expect(button(first, "previous alternative")).to_be_disabled()
    expect(button(first, "next alternative")).to_be_focused()
    shot(page, "branch-switched-back-desktop")
    page.keyboard.press("Enter")
    expect(users).to_have_text(["beta question"])
    expect(answers).to_have_text(["beta question"])

    # The server keeps the branch shown: a reload shows it.
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(users).to_have_text(["beta question"])
    expect(first.locator(".alt-count")).to_have_text("2/2")
    messages, leaf = tree(appliance, conversation)
    assert len(messages) == 6
    assert sorted(m[3] for m in messages if m[1] is None) == ["alpha question", "beta question"], messages

    # Export JSON: every message with its parent, and the current leaf.
    with page.expect_download() as info:
        page.click("#export-json")
    exported = tmp_path / info.value.suggested_filename
    info.value.save_as(exported)
    document = json.loads(exported.read_text())
    conv = document.get("conversation", document)
    listed = document.get("messages") or conv.get("messages")
    assert sorted((m["id"], m["parent_id"]) for m in listed) == sorted((m[0], m[1]) for m in messages)
    assert conv["current_leaf_id"] == leaf

    # Deleted, then imported from that file: the same tree and current branch, and ‹ › work on it.
    page.evaluate("location.hash = '#/'")
    assert appliance.api(f"/api/conversations/{conversation}", "DELETE")[0] == 204
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    with page.expect_file_chooser() as chooser:
        page.click("#import")
    chooser.value.set_files(str(exported))
    expect(page.locator("#archive-status")).to_contain_text("1 session added", timeout=15_000)
    assert tree(appliance, conversation) == (messages, leaf)
    page.click(f"#session-list [data-id='{conversation}']")
    expect(users).to_have_text(["beta question"])
    button(first, "previous alternative").click()
    expect(users).to_have_text(["alpha question", "alpha follow-up"])
    expect(answers).to_have_text(["alpha question", "alpha follow-up"])
    shot(page, "branch-imported-desktop")
    button(first, "next alternative").click()
    expect(users).to_have_text(["beta question"])
    assert watch.console_errors == []


def test_regenerate_keeps_the_previous_answer_and_the_controls_wait_while_streaming(watched):
    page, watch = watched
    echo_session(page, "keep me")
    set_model(page, "fake/lorem")
    page.locator(LAST_ANSWER).locator("button.regen").click()
    assert wait_final(page) == "complete"
    answer = page.locator(LAST_ANSWER)
    expect(answer.locator(".msg-body")).to_contain_text("Lorem ipsum")
    expect(answer.locator(".alt-count")).to_have_text("2/2")
    shot(page, "branch-regenerated-desktop")

    button(answer, "previous alternative").click()
    expect(answer.locator(".msg-body")).to_have_text("keep me")
    expect(answer.locator(".alt-count")).to_have_text("1/2")
    expect(page.locator(ANSWER_BODIES)).to_have_count(1)
    button(answer, "next alternative").click()
    expect(answer.locator(".msg-body")).to_contain_text("Lorem ipsum")
    expect(answer.locator(".alt-count")).to_have_text("2/2")

    # While an answer streams, the controls that change the tree are disabled; COPY is not.
    set_model(page, "fake/slow")
    send(page, "a long one")
    expect(page.locator(LAST_ANSWER)).to_have_attribute("data-status", "streaming")
    earlier = page.locator("#transcript article.msg-assistant").first
    expect(button(earlier, "previous alternative")).to_be_disabled()
    expect(button(page.locator(USERS).first, "EDIT")).to_be_disabled()
    expect(button(earlier, "DELETE")).to_be_disabled()
    expect(button(earlier, "COPY")).to_be_enabled()
    shot(page, "branch-controls-wait-desktop")
    page.keyboard.press("Escape")
    assert wait_final(page) == "stopped"
    expect(button(earlier, "previous alternative")).to_be_enabled()
    expect(button(earlier, "DELETE")).to_be_enabled()
    assert watch.console_errors == []


def test_copy_puts_the_raw_text_on_the_clipboard_or_shows_it_selected(browser, appliance):
    context, page, watch = open_page(browser, appliance, permissions=["clipboard-read", "clipboard-write"])
    try:
        text = "**bold** and `code`, then [a link](https://example.org/)"
        conversation = echo_session(page, text)
        stored = {m["role"]: m["content"] for m in appliance.api(f"/api/conversations/{conversation}")[1]["messages"]}
        assert stored["user"] == text and "**bold**" in stored["assistant"]

        user, answer = page.locator(USERS).first, page.locator(LAST_ANSWER)
        user.locator(".tool-copy").click()
        expect(user.locator(".tool-copy")).to_have_text("COPIED")
        assert page.evaluate("navigator.clipboard.readText()") == text
        expect(answer.locator(".msg-body strong")).to_have_text("bold")
        answer.locator(".tool-copy").click()
        expect(answer.locator(".tool-copy")).to_have_text("COPIED")
        shot(page, "branch-copied-desktop")
        assert page.evaluate("navigator.clipboard.readText()") == stored["assistant"], "the Markdown source, not the rendered text"
        expect(page.locator("#console")).to_contain_text("COPIED the answer")
        expect(answer.locator(".tool-copy")).to_have_text("COPY")

        # No Clipboard API (plain http by a LAN address) and no copy command: the text is shown selected.
        context.add_init_script("""Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });
            document.execCommand = () => false;""")
        page.reload()
        page.wait_for_selector("body[data-ready='true']")
        user.locator(".tool-copy").click()
        expect(user.locator(".tool-copy")).to_have_text("COPY BY HAND")
        field = user.locator(".manual-copy textarea")
        expect(field).to_be_focused()
        expect(field).to_have_value(text)
        assert page.evaluate("[document.activeElement.selectionStart, document.activeElement.selectionEnd]") == [0, len(text)]
        shot(page, "branch-copy-by-hand-desktop")
        field.press("Escape")
        expect(user.locator(".manual-copy")).to_have_count(0)
        expect(user.locator(".tool-copy")).to_be_focused()
        watch.csp_violations += page.evaluate("window.__csp || []")
        assert watch.page_errors == [] and watch.csp_violations == [] and watch.foreign_requests == []
        assert watch.console_errors == [] and watch.dialogs == []
    finally:
        context.close()


def test_delete_removes_a_message_and_its_replies_after_confirming(watched, appliance):
    page, watch = watched
    conversation = echo_session(page, "keep this", "drop this")
    users, answers = page.locator(USER_BODIES), page.locator(ANSWER_BODIES)

    second = page.locator(USERS).nth(1)
    second.locator(".tool-delete").click()
    expect(page.locator("#dialog")).to_be_visible()
    expect(page.locator("#dialog-text")).to_contain_text("The 1 reply below it on this path will be deleted too")
    expect(page.locator("#dialog-text")).to_contain_text("cannot be undone")
    shot(page, "branch-delete-confirm-desktop")
    page.click("#dialog-cancel")
    expect(users).to_have_text(["keep this", "drop this"])
    expect(second.locator(".tool-delete")).to_be_focused()

    second.locator(".tool-delete").click()
    page.click("#dialog-ok")
    expect(users).to_have_text(["keep this"])
    expect(answers).to_have_text(["keep this"])
    expect(page.locator("#console")).to_contain_text("MESSAGE DELETED with the 1 below it")
    assert [m[3] for m in tree(appliance, conversation)[0]] == ["keep this", "keep this"]
    shot(page, "branch-deleted-desktop")

    # Deleting the answer shown among alternatives shows the one that is left.
    set_model(page, "fake/lorem")
    page.locator(LAST_ANSWER).locator("button.regen").click()
    assert wait_final(page) == "complete"
    expect(page.locator(LAST_ANSWER).locator(".alt-count")).to_have_text("2/2")
    page.locator(LAST_ANSWER).locator(".tool-delete").click()
    expect(page.locator("#dialog-text")).to_contain_text("It has no replies below it. Its alternatives stay.")
    page.click("#dialog-ok")
    expect(answers).to_have_text(["keep this"])
    expect(page.locator(LAST_ANSWER).locator(".alternatives")).to_have_count(0)
    assert len(tree(appliance, conversation)[0]) == 2
    assert watch.console_errors == []


def test_a_search_hit_on_another_branch_opens_that_branch(watched):
    page, watch = watched
    echo_session(page, "zebra original")
    first = page.locator(USERS).first
    button(first, "EDIT").click()
    first.get_by_label("EDIT MESSAGE").fill("giraffe replacement")
    first.get_by_label("EDIT MESSAGE").press("Control+Enter")
    assert wait_final(page) == "complete"
    expect(page.locator(USER_BODIES)).to_have_text(["giraffe replacement"])

    page.fill("#search", "zebra")
    hit = page.locator("#search-results button.search-hit").filter(has_text="· USER").first
    expect(hit).to_contain_text("zebra")
    hit.click()
    expect(page.locator(USER_BODIES)).to_have_text(["zebra original"])
    expect(page.locator(f"{USERS}.hit")).to_have_count(1)
    expect(first.locator(".alt-count")).to_have_text("1/2")
    expect(page.locator("#console")).to_contain_text("BRANCH SWITCHED")
    shot(page, "branch-search-hit-desktop")
    assert watch.console_errors == []


def test_on_a_phone_the_message_controls_and_the_edit_field_are_44px(browser, appliance):
    context, page, watch = open_page(browser, appliance, viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        page.click("#toggle-sessions")
        page.click("#new-session")
        expect(page.locator("#transcript")).to_contain_text("SESSION READY")
        set_model(page, "fake/echo")
        page.fill("#input", "phone question")
        page.click("#transmit")
        assert wait_final(page) == "complete"
        first = page.locator(USERS).first
        button(first, "EDIT").click()
        first.get_by_label("EDIT MESSAGE").fill("phone edit")
        assert page.evaluate(CONTROLS_UNDER_44) == [], "controls under 44 px while editing"
        shot(page, "branch-edit-phone")
        button(first, "SEND").click()
        assert wait_final(page) == "complete"
        expect(first.locator(".alt-count")).to_have_text("2/2")
        assert page.evaluate(CONTROLS_UNDER_44) == [], "controls under 44 px with alternatives"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(page, "branch-controls-phone")
        button(first, "previous alternative").click()
        expect(page.locator(USER_BODIES)).to_have_text(["phone question"])
        watch.csp_violations += page.evaluate("window.__csp || []")
        assert watch.page_errors == [] and watch.csp_violations == [] and watch.foreign_requests == []
        assert watch.console_errors == []
    finally:
        context.close()
