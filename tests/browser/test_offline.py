"""The status badge says OFFLINE while the server cannot be reached and recovers by itself when it can again."""
from playwright.sync_api import expect

from conftest import shot
from helpers import new_session, send


def test_offline_appears_when_the_server_is_unreachable_and_clears_by_itself(page):
    new_session(page)
    # Every API request now gets no answer at all, as when the server or the network is down.
    page.route("**/api/**", lambda route: route.abort())
    send(page, "are you there?")
    expect(page.locator("#conn")).to_have_text("OFFLINE")
    expect(page.locator("#console .line.net").first).to_be_visible()
    expect(page.locator("#input")).to_have_value("are you there?")
    shot(page, "terminal-offline-desktop")

    page.unroute("**/api/**")
    expect(page.locator("#conn")).to_contain_text("ONLINE", timeout=10_000)
    expect(page.locator("#console .line.net")).to_have_count(0)
    expect(page.locator("#console")).to_contain_text("SERVER BACK")
