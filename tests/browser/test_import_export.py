"""Every session from the page: EXPORT ALL downloads GET /api/export (JSON Lines) with a summary, IMPORT sends a
picked file to POST /api/import and shows what the server did; a deleted session comes back from the export, and
a file that is not an export is refused with the server's reason and a hint."""
import json

from playwright.sync_api import expect

from conftest import shot
from helpers import new_session, send, set_model, wait_final


def test_export_all_and_import_round_trip_from_the_page(watched, appliance, tmp_path):
    page, watch = watched
    conversation = new_session(page)
    set_model(page, "fake/echo")
    send(page, "round trip marker 7f3a")
    assert wait_final(page) == "complete"

    with page.expect_download() as download_info:
        page.click("#export-all")
    download = download_info.value
    assert download.suggested_filename.startswith("neural-terminal-export-") and download.suggested_filename.endswith(".jsonl")
    exported = tmp_path / download.suggested_filename
    download.save_as(exported)
    lines = exported.read_text().splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "neural-terminal-export"
    records = [json.loads(line) for line in lines[1:]]
    ours = [r for r in records if r["conversation"]["id"] == conversation]
    assert len(ours) == 1 and any("round trip marker 7f3a" in m["content"] for m in ours[0]["messages"])
    status = page.locator("#archive-status")
    expect(status).to_contain_text(f"EXPORTED {len(records)} SESSION")
    expect(status).to_contain_text(download.suggested_filename)
    shot(page, "export-all-desktop")

    # The session is deleted; importing the export brings it back, and the page says what was done.
    page.evaluate("location.hash = '#/'")
    assert appliance.api(f"/api/conversations/{conversation}", "DELETE")[0] == 204
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator(f"#session-list [data-id='{conversation}']")).to_have_count(0)
    with page.expect_file_chooser() as chooser_info:
        page.click("#import")
    chooser_info.value.set_files(str(exported))
    expect(status).to_contain_text(f"IMPORTED {exported.name}: 1 session added", timeout=15_000)
    expect(status).to_contain_text(f"{len(records) - 1} unchanged")
    expect(page.locator("#console")).to_contain_text("IMPORTED")
    expect(page.locator(f"#session-list [data-id='{conversation}']")).to_have_count(1)
    shot(page, "import-summary-desktop")
    page.click(f"#session-list [data-id='{conversation}']")
    expect(page.locator("#transcript article.msg-assistant .msg-body")).to_have_text("round trip marker 7f3a")

    # A second import of the same file changes nothing.
    with page.expect_file_chooser() as chooser_info:
        page.click("#import")
    chooser_info.value.set_files(str(exported))
    expect(status).to_contain_text(f"0 sessions added, 0 updated, {len(records)} unchanged", timeout=15_000)
    assert watch.console_errors == []


def test_a_file_that_is_not_an_export_is_refused_with_the_reason(watched, tmp_path):
    page, watch = watched
    bad = tmp_path / "notes.jsonl"
    bad.write_text("this is not an export\n")
    with page.expect_file_chooser() as chooser_info:
        send(page, "/import")
    chooser_info.value.set_files(str(bad))
    status = page.locator("#archive-status")
    expect(status).to_contain_text("IMPORT FAILED", timeout=15_000)
    expect(status).to_contain_text("invalid_import")
    expect(status).to_have_class("archive-status err")
    expect(page.locator("#console .line.err")).to_contain_text("IMPORT notes.jsonl")
    shot(page, "import-error-desktop")
    # The browser logs the refused request (400) itself; nothing else went wrong.
    watch.console_errors[:] = [e for e in watch.console_errors if "400" not in e]
    assert watch.console_errors == []
