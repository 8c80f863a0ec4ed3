"""Finding anything: 250 sessions are all reachable from the list (a page at a time, loaded as its end scrolls
into view or with MORE), search finds a session by a word of its title and a message by the beginning of a word,
and the model picker narrows as you type."""
import re

import pytest
from playwright.sync_api import expect

from conftest import PHONE, http_json, open_page, shot, start_appliance, stop_appliance
from helpers import wait_final

SESSIONS = 250


@pytest.fixture(scope="module")
def crowded(fake):
    """An appliance holding 250 sessions: "Physics notes" the oldest, then "Geometry" with a trapezoid question
    answered by fake/echo, then 248 more."""
    app = start_appliance(fake, "limits.api_requests_per_minute = 0\n", prefix="nt-browser-find-")
    assert app.api("/api/conversations", "POST", {"title": "Physics notes"})[0] == 201
    status, geometry = app.api("/api/conversations", "POST", {"title": "Geometry"})
    assert status == 201
    status, _ = http_json(f"{app.url}/api/conversations/{geometry['id']}/messages", "POST",
                          {"content": "What is the area of a trapezoid?", "model": "fake/echo"}, timeout=20)
    assert status == 200
    for n in range(1, SESSIONS - 1):
        assert app.api("/api/conversations", "POST", {"title": f"Session {n:03d}"})[0] == 201
    assert app.api("/api/conversations?limit=1")[1]["total"] == SESSIONS
    yield app
    stop_appliance(app)


def watched_page(browser, app):
    context, page, watch = open_page(browser, app)
    expect(page.locator("#session-count")).to_have_text(f"({SESSIONS})")
    return context, page, watch


def clean(watch):
    assert watch.page_errors == [] and watch.csp_violations == [] and watch.foreign_requests == [], watch


def drop_new_sessions(app):
    """Deletes the sessions a test made with INITIALIZE SESSION, so every test sees the 250."""
    for c in app.api("/api/conversations?limit=5")[1]["conversations"]:
        if c["title"] == "New session":
            app.api(f"/api/conversations/{c['id']}", "DELETE")


def test_every_one_of_250_sessions_is_reachable_by_scrolling(browser, crowded):
    context, page, watch = watched_page(browser, crowded)
    try:
        items = page.locator("#session-list button.session-item")
        expect(items).to_have_count(100)
        more = page.locator("#more-sessions")
        expect(more).to_have_text("MORE SESSIONS (100 OF 250 SHOWN)")
        shot(page, "sessions-first-page-desktop")
        # Scrolling the list to its end loads the next page by itself, twice, then there is nothing more.
        items.last.scroll_into_view_if_needed()
        expect(items).to_have_count(200)
        items.last.scroll_into_view_if_needed()
        expect(items).to_have_count(SESSIONS)
        expect(more).to_have_count(0)
        ids = page.eval_on_selector_all("#session-list button.session-item", "els => els.map(e => e.dataset.id)")
        assert len(set(ids)) == SESSIONS, "each session once"
        expect(items.last).to_contain_text("Physics notes")
        shot(page, "sessions-all-250-reached-desktop")
        items.last.click()
        expect(page.locator("#session-title")).to_have_text("Physics notes")
        # The list stays as long as it was after a reload of it (a new session, an answer).
        page.click("#new-session")
        expect(page.locator("#session-count")).to_have_text(f"({SESSIONS + 1})")
        expect(items).to_have_count(SESSIONS + 1)
        clean(watch)
    finally:
        context.close()
        drop_new_sessions(crowded)


def test_more_loads_the_next_page_from_the_keyboard(browser, crowded):
    context, page, watch = watched_page(browser, crowded)
    try:
        more = page.locator("#more-sessions")
        more.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#session-list button.session-item")).to_have_count(200, timeout=5000)
        clean(watch)
    finally:
        context.close()


def test_search_finds_a_title_by_its_word_and_a_message_by_the_start_of_a_word(browser, crowded):
    context, page, watch = watched_page(browser, crowded)
    try:
        results = page.locator("#search-results")
        page.fill("#search", "Physics")
        expect(results).to_contain_text('1 SESSION TITLED "Physics"')
        title_hit = results.locator("button.search-hit").first
        expect(title_hit.locator("mark")).to_have_text("Physics")
        expect(title_hit).to_contain_text("Physics notes")
        shot(page, "search-by-title-desktop")
        title_hit.click()
        expect(page.locator("#session-title")).to_have_text("Physics notes")

        page.fill("#search", "trap")
        expect(results).to_contain_text('2 RESULTS FOR "trap"')
        marks = results.locator("mark")
        expect(marks.first).to_have_text(re.compile("^trapezoid$", re.I))
        shot(page, "search-by-prefix-desktop")
        results.locator("button.search-hit").filter(has_text="Geometry").first.click()
        expect(page.locator("#session-title")).to_have_text("Geometry")
        expect(page.locator("#transcript article.hit")).to_contain_text("trapezoid")

        # Whole words only when quoted; a word found nowhere says so.
        page.fill("#search", '"trap"')
        expect(results).to_contain_text('0 RESULTS FOR ""trap""')
        page.fill("#search", "physi notes")
        expect(results).to_contain_text("1 SESSION TITLED")
        clean(watch)
    finally:
        context.close()


def test_the_model_picker_narrows_as_you_type(browser, crowded):
    context, page, watch = watched_page(browser, crowded)
    try:
        page.wait_for_function("() => document.querySelectorAll('#model option').length > 5")
        total = page.locator("#model option").count()
        page.click("#new-session")
        # A new session moves the focus to the message box once it exists; typing before that would go there.
        expect(page.locator("#console")).to_contain_text("SESSION INITIALIZED")
        expect(page.locator("#input")).to_be_focused()
        page.fill("#model-filter", "http 50")
        listed = page.eval_on_selector_all("#model option:not([disabled])", "els => els.map(e => e.value)")
        assert listed[0] == "" and sorted(listed[1:]) == ["fake/http-500", "fake/http-502", "fake/http-503"], listed
        expect(page.locator("#model option[disabled]")).to_have_text(re.compile(r'^— 3 of \d+ models match "http 50" —$'))
        shot(page, "model-picker-filtered-desktop")
        page.press("#model-filter", "Enter")
        expect(page.locator("#console")).to_contain_text("MODEL SET: fake/http-500")
        expect(page.locator("#model")).to_have_value("fake/http-500")
        expect(page.locator("#model-filter")).to_have_value("")
        assert page.locator("#model option").count() == total, "the whole catalogue again"
        # The model in use stays listed whatever the filter says; a model picked from the open list ends the filter.
        page.fill("#model-filter", "lorem")
        assert "fake/http-500" in page.eval_on_selector_all("#model option", "els => els.map(e => e.value)")
        expect(page.locator("#model")).to_have_value("fake/http-500")
        expect(page.locator("#model")).to_have_attribute("size", re.compile(r"^[2-8]$"))
        page.select_option("#model", "fake/lorem")
        expect(page.locator("#console")).to_contain_text("MODEL SET: fake/lorem")
        expect(page.locator("#model-filter")).to_have_value("")
        expect(page.locator("#model")).not_to_have_attribute("size", re.compile(".*"))
        page.fill("#model-filter", "nothing like this")
        expect(page.locator("#model option[disabled]")).to_have_text(re.compile(r'^— 0 of \d+ models match'))
        page.press("#model-filter", "Escape")
        expect(page.locator("#model-filter")).to_have_value("")
        clean(watch)
    finally:
        context.close()
        drop_new_sessions(crowded)


def test_on_a_phone_the_list_pages_and_search_finds_titles(browser, crowded):
    context, page, watch = open_page(browser, crowded, viewport=PHONE)
    try:
        page.click("#toggle-sessions")
        expect(page.locator("#sessions")).to_be_visible()
        page.locator("#session-list button.session-item").last.scroll_into_view_if_needed()
        expect(page.locator("#session-list button.session-item")).to_have_count(200)
        shot(page, "sessions-paging-phone")
        page.fill("#search", "phys")
        expect(page.locator("#search-results")).to_contain_text('1 SESSION TITLED "phys"')
        shot(page, "search-by-title-phone")
        clean(watch)
    finally:
        context.close()
