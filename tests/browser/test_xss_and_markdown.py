"""Model text is rendered as Markdown built from DOM nodes: XSS payloads stay inert text (no dialog, no script,
no request to another origin), and the Markdown features render as the issue lists them."""
from playwright.sync_api import expect

from conftest import shot
from helpers import LAST_ANSWER, new_session, send, set_model, wait_final

PAYLOADS = [
    "<script>alert('xss-script')</script>",
    "<img src=x onerror=\"alert('xss-img')\">",
    "<svg onload=alert('xss-svg')><circle r=10 /></svg>",
    "<iframe src=\"javascript:alert('xss-iframe')\"></iframe>",
    "<iframe src=\"https://evil.example/frame\"></iframe>",
    "[click me](javascript:alert('xss-link'))",
    "[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![tracker](https://evil.example/pixel.png)",
    "<a href=\"javascript:alert('xss-a')\">raw anchor</a>",
    "<style>body{display:none}</style>",
    "<div style=\"background:url(https://evil.example/bg)\">styled</div>",
    "**bold <b onmouseover=alert('xss-b')>x</b>**",
    "`<script>alert('in code')</script>`",
    "```html\n<script>alert('in fence')</script>\n```",
    "[ok link](https://example.org/page)",
]


def test_xss_payloads_echoed_by_the_model_render_as_inert_text(watched, fake):
    page, watch = watched
    new_session(page)
    set_model(page, "fake/echo")
    payload = "\n\n".join(PAYLOADS)
    # Any alert/confirm/prompt a payload managed to call is recorded here (and as a dialog by the fixture).
    page.evaluate("""() => { window.__xss = [];
        for (const f of ['alert', 'confirm', 'prompt']) window[f] = (m) => { window.__xss.push(String(m)); }; }""")
    send(page, payload)
    assert wait_final(page, timeout=30_000) == "complete"
    answer = page.locator(LAST_ANSWER)
    body = answer.locator(".msg-body")
    # The payloads are visible as text ...
    for text in ["<script>alert('xss-script')</script>", "onerror=", "<svg onload=alert('xss-svg')>", "<iframe src="]:
        expect(body).to_contain_text(text)
    # ... and nothing became markup.
    for tag in ["script", "img", "svg", "iframe", "style", "b", "object", "embed",
                "div:not(.code-block):not(.code-head):not(.table-wrap)", "[style]"]:
        assert body.locator(tag).count() == 0, f"{tag} in the rendered answer"
    assert page.evaluate("window.__xss") == [], "no script ran"
    assert page.evaluate("document.querySelectorAll('[onerror],[onload],[onmouseover]').length") == 0
    hrefs = body.locator("a").evaluate_all("els => els.map(a => [a.getAttribute('href'), a.rel, a.target])")
    assert hrefs == [["https://example.org/page", "noopener noreferrer", "_blank"]] or all(
        h[0].startswith(("https://", "http://", "mailto:")) and h[1] == "noopener noreferrer" for h in hrefs
    ), hrefs
    assert not any("javascript:" in (h[0] or "") or (h[0] or "").startswith("data:") for h in hrefs)
    expect(body.locator(".unsafe-link").first).to_contain_text("click me")
    # Code keeps its text, including the fence.
    expect(body.locator("code.inline").first).to_have_text("<script>alert('in code')</script>")
    expect(body.locator(".code-block code")).to_have_text("<script>alert('in fence')</script>")
    shot(page, "xss-inert-desktop")
    assert watch.dialogs == []
    assert watch.foreign_requests == [], watch.foreign_requests
    assert watch.csp_violations == [], watch.csp_violations


MARKDOWN = """# Heading

Plain paragraph with *emphasis*, **strong**, ~~gone~~ and `inline code`.
Second line of the same paragraph.

- first item
- second item with [a link](https://example.org)
  - nested item
1. one
2. two

> quoted text

| model | price |
|:------|------:|
| fake/lorem | $1.00 |
| fake/echo | $2.00 |

```python
print("hello")
```

Visit https://example.net/docs for more or mail <mailto:ops@example.org>."""


def test_markdown_renders_lists_tables_code_links_and_a_copy_button(browser, appliance):
    from conftest import open_page
    context, page, watch = open_page(browser, appliance, permissions=["clipboard-read", "clipboard-write"])
    try:
        new_session(page)
        set_model(page, "fake/echo")
        send(page, MARKDOWN)
        assert wait_final(page, timeout=30_000) == "complete"
        body = page.locator(LAST_ANSWER).locator(".msg-body")
        expect(body.locator("h3")).to_have_text("Heading")
        expect(body.locator("em")).to_have_text("emphasis")
        expect(body.locator("strong")).to_have_text("strong")
        expect(body.locator("del")).to_have_text("gone")
        expect(body.locator(":scope > ul > li")).to_have_count(2)
        expect(body.locator("ul ul > li")).to_have_text("nested item")
        expect(body.locator(":scope > ol > li")).to_have_count(2)
        expect(body.locator("blockquote")).to_have_text("quoted text")
        expect(body.locator("table th")).to_have_text(["model", "price"])
        expect(body.locator("table tbody tr")).to_have_count(2)
        expect(body.locator("table td.al-right").first).to_have_text("$1.00")
        expect(body.locator(".code-block .label")).to_have_text("PYTHON")
        links = body.locator("a").evaluate_all("els => els.map(a => a.href)")
        assert links == ["https://example.org/", "https://example.net/docs", "mailto:ops@example.org"], links
        body.locator("button.copy").click()
        expect(body.locator("button.copy")).to_have_text("COPIED")
        assert page.evaluate("navigator.clipboard.readText()") == 'print("hello")'
        shot(page, "markdown-desktop")
        assert watch.page_errors == [] and watch.csp_violations == [] and watch.foreign_requests == []
    finally:
        context.close()


def test_reasoning_is_shown_in_a_collapsible_block(page):
    new_session(page)
    set_model(page, "fake/reasoning")
    send(page, "think first")
    assert wait_final(page) == "complete"
    block = page.locator(LAST_ANSWER).locator("details.reasoning")
    expect(block.locator("summary")).to_have_text("REASONING")
    assert block.get_attribute("open") is None, "collapsed once the answer is complete"
    block.locator("summary").click()
    expect(block.locator(".reasoning-body")).to_contain_text("Let me think about this step by step.")
    shot(page, "reasoning-desktop")
    expect(page.locator(LAST_ANSWER).locator(".msg-meta")).to_contain_text("reasoning")
    page.reload()
    expect(page.locator(LAST_ANSWER).locator("details.reasoning .reasoning-body")).to_contain_text("step by step")
