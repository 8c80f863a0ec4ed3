"""auth.mode = "password" in the browser: the login page in the terminal look, a wrong password refused, the
terminal after a right one with its session in an HttpOnly cookie scripts cannot read, and LOG OUT."""
import subprocess

import pytest
from playwright.sync_api import expect

from conftest import BIN, shot, start_appliance, stop_appliance

PASSWORD = "phosphor green terminal"


@pytest.fixture(scope="module")
def locked(fake):
    app = start_appliance(fake, 'auth.mode = "password"\n', prefix="nt-browser-login-")
    subprocess.run([str(BIN / "neural-terminal"), "passwd", "--stdin", "--config", str(app.config)],
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    yield app
    stop_appliance(app)


def test_the_terminal_is_behind_a_login_page_in_the_same_look(browser, locked):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    try:
        page.goto(locked.url + "/")
        assert page.url.endswith("/login"), "the terminal redirects to the login page"
        expect(page.locator("#login-title")).to_have_text("AUTHENTICATION REQUIRED")
        # The same phosphor palette as the terminal: green text on the near-black background.
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(10, 10, 15)"
        assert page.evaluate("getComputedStyle(document.querySelector('#login-title')).color") == "rgb(0, 255, 65)"
        shot(page, "login-desktop")

        page.fill("#password", "not the password")
        page.click("#login-submit")
        expect(page.locator("#login-status")).to_contain_text("ACCESS DENIED")
        assert page.url.endswith("/login")

        # Straight after a failure the throttle asks for a short wait: the page counts it down with the button
        # disabled, then the same click goes through.
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_function("() => location.pathname === '/' || document.querySelector('#login-status').textContent.includes('READY')",
                               timeout=15000)
        if page.url.endswith("/login"):
            assert "TOO MANY ATTEMPTS" not in page.locator("#login-status").inner_text()
            page.click("#login-submit")
        page.wait_for_selector("body[data-ready='true']")
        assert page.url.rstrip("/").endswith(str(locked.web_port)), page.url
        expect(page.locator("#logout")).to_be_visible()
        assert page.evaluate("document.cookie") == "", "the session cookie is HttpOnly"
        cookie = next(c for c in context.cookies() if c["name"] == "nt_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

        # The terminal works under the session: a new conversation is a POST with the page's own Origin.
        page.click("#new-session")
        expect(page.locator("#session-title")).not_to_have_text("NO SESSION")

        page.click("#logout")
        page.wait_for_url("**/login")
        page.goto(locked.url + "/")
        assert page.url.endswith("/login"), "after LOG OUT the terminal is locked again"
        assert errors == [], f"page errors or CSP violations: {errors}"
    finally:
        context.close()


def test_the_login_page_answers_a_phone_too(browser, locked):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(locked.url + "/login")
        box = page.locator(".login-box").bounding_box()
        assert box["width"] <= 390 and box["x"] >= 0, box
        shot(page, "login-phone")
    finally:
        context.close()
