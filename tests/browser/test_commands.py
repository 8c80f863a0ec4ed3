"""Slash commands: /help, /new, /model, /system, /rename, /export, /search, and unknown commands."""
import json
import pathlib

from playwright.sync_api import expect

from conftest import shot
from helpers import new_session, send, wait_final


def command(page, line):
    page.fill("#input", line)
    page.press("#input", "Enter")


def test_help_lists_every_command(page):
    command(page, "/help")
    help_block = page.locator("#transcript article.help")
    for name in ["/new", "/model NAME", "/system TEXT", "/export md|json", "/search TEXT", "/help", "Esc", "Shift+Enter"]:
        expect(help_block).to_contain_text(name)
    expect(help_block.locator(".role")).to_have_text("SYSTEM")
    shot(page, "help-desktop")


def test_new_model_system_rename_and_export(page):
    command(page, "/new Command session")
    expect(page.locator("#session-title")).to_have_text("Command session")
    expect(page.locator("#session-list")).to_contain_text("Command session")

    command(page, "/model fake/echo")
    expect(page.locator("#console")).to_contain_text("MODEL SET: fake/echo")
    expect(page.locator("#model")).to_have_value("fake/echo")
    command(page, "/model no/such-model")
    expect(page.locator("#console")).to_contain_text("UNKNOWN MODEL no/such-model")
    expect(page.locator("#model")).to_have_value("fake/echo")

    command(page, "/system You answer like a VT100.")
    expect(page.locator("#transcript article.msg-system .role")).to_have_text("SYSTEM")
    expect(page.locator("#transcript article.msg-system .msg-body")).to_have_text("You answer like a VT100.")
    send(page, "echo this back")
    assert wait_final(page) == "complete"
    expect(page.locator("#transcript article.msg-assistant .msg-body")).to_have_text("echo this back")

    command(page, "/rename Renamed by command")
    expect(page.locator("#session-title")).to_have_text("Renamed by command")

    with page.expect_download() as info:
        command(page, "/export json")
    exported = json.loads(pathlib.Path(info.value.path()).read_text())
    data = exported.get("conversation", exported)
    assert data["title"] == "Renamed by command"
    assert data["system_prompt"] == "You answer like a VT100."
    assert data["model"] == "fake/echo"
    with page.expect_download() as info:
        command(page, "/export md")
    markdown = pathlib.Path(info.value.path()).read_text()
    assert "Renamed by command" in markdown and "echo this back" in markdown

    command(page, "/system")
    expect(page.locator("#console")).to_contain_text("SYSTEM PROMPT CLEARED")
    expect(page.locator("#transcript article.msg-system")).to_have_count(0)


def test_search_finds_a_message_or_says_the_api_is_missing(page, appliance):
    new_session(page)
    # A word no other test writes: the appliance is shared by the whole run, and a hit of another test's
    # conversation may rank first.
    send(page, "the pangolin crossing protocol")
    assert wait_final(page) == "complete"
    command(page, "/search pangolin")
    results = page.locator("#search-results")
    status, _ = appliance.api("/api/search?q=pangolin&limit=5")
    if status == 404:
        expect(results).to_contain_text("SEARCH n/a")
    else:
        expect(results.locator("mark").first).to_have_text("pangolin", ignore_case=True)
        results.locator("button.search-hit").first.click()
        expect(page.locator("#transcript")).to_contain_text("the pangolin crossing protocol")


def test_unknown_commands_and_usage_errors_say_what_to_do(page):
    command(page, "/frobnicate")
    expect(page.locator("#console")).to_contain_text("UNKNOWN COMMAND /frobnicate")
    expect(page.locator("#console")).to_contain_text("/help")
    command(page, "/export pdf")
    expect(page.locator("#console")).to_contain_text("USAGE: /export md|json")
    command(page, "/model")
    expect(page.locator("#console")).to_contain_text("USAGE: /model NAME")


def test_diag_command_opens_diagnostics(page):
    command(page, "/diag")
    expect(page.locator("#diagnostics")).to_be_visible()
    assert page.evaluate("location.hash") == "#/diagnostics"


def test_search_results_in_the_documented_shape_open_the_message(page, appliance):
    """/api/search is another module's route: its documented answer is staged, so the page's side is tested
    whether or not the route exists on this build."""
    conversation = new_session(page)
    send(page, "where is the okapi")
    assert wait_final(page) == "complete"
    message_id = page.locator("#transcript article.msg-user").get_attribute("data-id")
    assert message_id
    body = {"query": "okapi", "results": [{
        "message_id": message_id, "conversation_id": conversation, "conversation_title": "where is the okapi",
        "role": "user", "created_at": "2026-11-30T05:00:00Z", "rank": -1.5,
        "snippet": [{"text": "where is the ", "match": False}, {"text": "okapi", "match": True}],
    }]}
    page.route("**/api/search?*", lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(body)))
    page.click("#nav-diagnostics")  # leave the session, then come back through the search hit
    expect(page.locator("#diagnostics")).to_be_visible()
    page.keyboard.press("Control+k")
    page.keyboard.type("okapi")
    hit = page.locator("#search-results button.search-hit")
    expect(hit).to_have_count(1)
    expect(hit.locator("mark")).to_have_text("okapi")
    expect(page.locator("#search-results")).to_contain_text("1 RESULT")
    hit.click()
    expect(page.locator("#terminal")).to_be_visible()
    expect(page.locator(f"#transcript article.hit[data-id='{message_id}']")).to_be_visible()


def test_the_server_export_route_is_used_when_it_exists(page):
    new_session(page)
    page.route("**/api/conversations/*/export?format=markdown", lambda route: route.fulfill(
        status=200, content_type="text/markdown; charset=utf-8", body="# from the server\n",
        headers={"Content-Disposition": 'attachment; filename="server-export.md"'}))
    with page.expect_download() as info:
        page.click("#export-md")
    assert info.value.suggested_filename == "server-export.md"
    assert pathlib.Path(info.value.path()).read_text() == "# from the server\n"
