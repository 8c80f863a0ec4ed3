"""Keyboard reach, visible focus, contrast (WCAG AA), phone width, the look, and the security headers of every
response (the page works under the strict CSP: the `page` fixture fails on any violation)."""
import urllib.request

from playwright.sync_api import expect

from conftest import PHONE, http_json, open_page, shot
from helpers import new_session, send, wait_final

CONTRAST_JS = """
([fgSel, bgSel]) => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const fg = lum(rgb(getComputedStyle(document.querySelector(fgSel)).color));
  const bg = lum(rgb(getComputedStyle(document.querySelector(bgSel)).backgroundColor));
  return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
}
"""


def test_the_look_is_a_phosphor_terminal(page):
    style = page.evaluate("""() => { const b = getComputedStyle(document.body);
        return [b.backgroundColor, b.color, b.fontFamily]; }""")
    assert style[0] == "rgb(10, 10, 15)"
    assert style[1] == "rgb(0, 255, 65)"
    assert style[2].startswith('"JetBrains Mono"')
    assert page.evaluate("getComputedStyle(document.querySelector('.label')).textTransform") == "uppercase"
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).borderBottomColor") == "rgb(51, 51, 51)"


def test_text_colours_pass_wcag_aa(page):
    new_session(page)
    page.evaluate("""() => {
        const box = document.createElement('div'); box.id = 'probe';
        for (const c of ['warn', 'err', 'muted', 'label']) { const s = document.createElement('span'); s.className = c; s.id = 'p-' + c; s.textContent = c; box.append(s); }
        document.body.append(box); }""")
    for sel in ["body", "#p-warn", "#p-err", "#p-muted", "#p-label", "#input", ".session-item .s-meta", "#transmit"]:
        if page.locator(sel).count() == 0:
            continue
        bg = "#transmit" if sel == "#transmit" else "body"
        ratio = page.evaluate(CONTRAST_JS, [sel, bg])
        assert ratio >= 4.5, f"{sel}: contrast {ratio:.2f} < 4.5"


def test_every_action_is_reachable_by_keyboard_with_visible_focus(page):
    new_session(page)
    page.locator("body").focus()
    wanted = {"new-session", "search", "model", "toggle-system", "rename", "delete", "export-md", "export-json", "input",
              "transmit", "nav-diagnostics"}
    seen = []
    for _ in range(400):  # the session list grows with every test; Tab walks through all of it
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const e = document.activeElement;
            return [e.id || e.className || e.tagName, getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]; }""")
        if info[0] == "BODY":
            continue  # past the last control, focus leaves the page for a moment
        seen.append(info[0])
        assert info[1] != "none" and info[2] != "0px", f"{info[0]} has no visible focus"
        if wanted <= set(seen):
            break
    assert wanted <= set(seen), f"not reachable by Tab: {wanted - set(seen)} (saw {seen})"
    # The streaming answer is announced politely.
    send(page, "short")
    expect(page.locator("#transcript article.msg-assistant .msg-body")).to_have_attribute("aria-live", "polite")
    assert wait_final(page) == "complete"
    expect(page.locator("#transcript article.msg-assistant .msg-body")).to_have_attribute("aria-busy", "false")
    # Ctrl+K jumps to search; Escape in a dialog cancels it.
    page.keyboard.press("Control+k")
    assert page.evaluate("document.activeElement.id") == "search"
    page.click("#delete")
    page.keyboard.press("Escape")
    expect(page.locator("#dialog")).to_be_hidden()


def test_phone_width_works_with_the_session_drawer(browser, appliance):
    context, page, watch = open_page(browser, appliance, viewport=PHONE)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        expect(page.locator("#sessions")).to_be_hidden()
        page.click("#toggle-sessions")
        expect(page.locator("#new-session")).to_be_visible()
        shot(page, "sessions-drawer-phone")
        page.click("#new-session")
        expect(page.locator("#sessions")).to_be_hidden()
        send(page, "hello from a phone")
        assert wait_final(page) == "complete"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        expect(page.locator("#transmit")).to_be_visible()
        expect(page.locator("#meter")).to_be_visible()
        shot(page, "terminal-phone")
        assert watch.page_errors == [] and watch.csp_violations == [] and watch.foreign_requests == []
    finally:
        context.close()


def headers_of(url, extra=None):
    req = urllib.request.Request(url, headers=extra or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as res:
            return res.status, res.headers
    except urllib.error.HTTPError as err:
        return err.code, err.headers


def test_every_response_carries_the_security_headers(appliance):
    paths = ["/", "/assets/app.js", "/assets/app.css", "/assets/markdown.js", "/api/version", "/api/diagnostics",
             "/assets/nope.js", "/no/such/page"]
    for path in paths:
        status, headers = headers_of(appliance.url + path)
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "no-referrer", path
        if path.startswith("/assets/nope") or path.startswith("/no/"):
            assert status == 404, path


def test_assets_are_embedded_and_cached_with_etags(appliance):
    status, headers = headers_of(appliance.url + "/assets/app.js")
    assert status == 200
    assert headers["Content-Type"].startswith("text/javascript")
    etag = headers["ETag"]
    assert etag and headers["Cache-Control"] == "no-cache"
    again, _ = headers_of(appliance.url + "/assets/app.js", {"If-None-Match": etag})
    assert again == 304
    status, index = http_json(appliance.url + "/api/version")
    assert status == 200
    with urllib.request.urlopen(appliance.url + "/", timeout=5) as res:
        html = res.read().decode()
    assert "<script " in html and "http" not in html.replace("http-equiv", ""), "no external URL in the page"
