"""LaTeX renders as MathML (KaTeX) and fenced code is coloured (highlight.js), both from the binary, under the
strict CSP and with no console error; prices stay text; math and code open no XSS hole; a streaming answer is
re-rendered from its last block only, so formulas and a reader's selection in earlier blocks are left alone."""
from playwright.sync_api import expect

from conftest import shot
from helpers import LAST_ANSWER, new_session, send, set_model, wait_final

MATH_AND_CODE = r"""Inline: $E = mc^2$ and \(\alpha + \beta\); prices stay text: it costs $5 and $10.

$$\int_0^1 x^2\,dx = \frac{1}{3}$$

\[
\sum_{n=1}^{\infty} \frac{1}{n^2} = \frac{\pi^2}{6}
\]

Boxed terms: $\fbox{boxed}$ and $\fcolorbox{orange}{black}{framed}$, an escaped \$ sign, and a broken one: $\frac{1}{$ stays its source.

Unicode letters in a formula are text: $\text{café} \le ℝ$.

```python
def area(r):
    return 3.14159 * r ** 2  # <b>not bold</b>
```

```js
const x = "<img src=x onerror=alert(1)>";
```

```unknownlang
plain <text>
```"""


def test_latex_and_code_render_under_the_csp_without_console_errors(watched):
    page, watch = watched
    new_session(page)
    set_model(page, "fake/echo")
    send(page, MATH_AND_CODE)
    assert wait_final(page, timeout=30_000) == "complete"
    body = page.locator(LAST_ANSWER).locator(".msg-body")
    assert page.evaluate("typeof katex.__renderToDomTree === 'function' && typeof hljs.highlight === 'function'")

    # Formulas: MathML built by KaTeX, with the TeX kept as the annotation (copying a formula copies its source).
    annotations = body.locator(".math math annotation").evaluate_all("els => els.map(e => e.textContent)")
    assert annotations == ["E = mc^2", r"\alpha + \beta", r"\int_0^1 x^2\,dx = \frac{1}{3}",
                           r"\sum_{n=1}^{\infty} \frac{1}{n^2} = \frac{\pi^2}{6}", r"\fbox{boxed}",
                           r"\fcolorbox{orange}{black}{framed}", r"\text{café} \le ℝ"], annotations
    expect(body.locator(".math-display math[display='block']")).to_have_count(2)
    expect(body.locator("p .math:not(.math-display) math")).to_have_count(5)
    assert body.locator(".math math mfrac").count() >= 2
    # \fbox is drawn by the stylesheet (Chromium has no <menclose>); \fcolorbox's border, a style KaTeX sets, goes
    # through the CSSOM (the CSP refuses style attributes set from markup or with setAttribute).
    for box in [body.locator(".math math menclose"), body.locator(".math math mpadded")]:
        expect(box).to_have_count(1)
        assert box.evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
    # Prices, an escaped dollar and a broken formula stay text.
    expect(body).to_contain_text("it costs $5 and $10.")
    expect(body).to_contain_text("an escaped $ sign")
    expect(body.locator(".math-source")).to_have_text(r"$\frac{1}{$")

    # Code: coloured spans for known languages, the exact text kept, unknown languages plain.
    python = body.locator(".code-block code.lang-python")
    expect(python.locator(".hljs-keyword").first).to_have_text("def")
    expect(python.locator(".hljs-comment")).to_have_text("# <b>not bold</b>")
    assert python.text_content() == "def area(r):\n    return 3.14159 * r ** 2  # <b>not bold</b>"
    expect(body.locator(".code-block code.lang-javascript .hljs-string")).to_have_text('"<img src=x onerror=alert(1)>"')
    plain = body.locator(".code-block code").nth(2)
    assert plain.evaluate("c => c.children.length") == 0 and plain.text_content() == "plain <text>"
    assert body.locator("img, script, b").count() == 0
    colours = body.locator(".hljs-keyword").first.evaluate("e => getComputedStyle(e).color")
    assert colours == "rgb(255, 176, 0)", colours
    shot(page, "math-and-code-desktop")

    watch.csp_violations += page.evaluate("window.__csp")
    assert watch.csp_violations == [], watch.csp_violations
    assert watch.console_errors == [], watch.console_errors
    assert watch.page_errors == [] and watch.foreign_requests == []


MATH_XSS = r"""$\href{javascript:alert('xss-href')}{click}$ and $\url{https://evil.example/u}$

$$\htmlStyle{background:url(https://evil.example/bg)}{x} + \htmlClass{btn}{y} + \htmlData{onload=alert(1)}{z}$$

$\includegraphics{https://evil.example/pixel.png}$ and $<img src=x onerror=alert('xss-math')>$

```html
<script>alert('xss-code')</script><img src=x onerror="alert('xss-code-img')">
```"""


def test_math_and_code_open_no_xss_hole(watched):
    page, watch = watched
    new_session(page)
    set_model(page, "fake/echo")
    page.evaluate("""() => { window.__xss = [];
        for (const f of ['alert', 'confirm', 'prompt']) window[f] = (m) => { window.__xss.push(String(m)); }; }""")
    send(page, MATH_XSS)
    assert wait_final(page, timeout=30_000) == "complete"
    body = page.locator(LAST_ANSWER).locator(".msg-body")
    # trust: false — no links, no images, no classes or data from the formula, nothing loaded from elsewhere.
    assert body.locator("a, img, script, iframe, [href], [src], [onload], [onerror]").count() == 0
    assert body.locator(".math .btn, .math [data-onload]").count() == 0
    assert body.locator("[style]").count() == 0
    expect(body.locator(".code-block code.lang-xml")).to_have_text(
        "<script>alert('xss-code')</script><img src=x onerror=\"alert('xss-code-img')\">")
    assert page.evaluate("window.__xss") == []
    shot(page, "math-xss-inert-desktop")
    assert watch.foreign_requests == [] and watch.dialogs == []


STREAMED = r"""First paragraph with $x^2 + y^2 = z^2$ selected by the reader while the answer streams on.

Second paragraph arrives later and keeps growing word by word, one word at a time, slowly enough to watch.

Third paragraph: more words keep arriving so the last block changes many times while the reader holds a selection in the first one, which must stay exactly where it is until the end of the answer and after it."""


def test_a_selection_in_an_earlier_block_and_its_formula_survive_streaming(page):
    new_session(page)
    set_model(page, "fake/echo")
    send(page, STREAMED)
    first = page.locator(LAST_ANSWER).locator(".msg-body > p").first
    page.wait_for_function("""() => { const a = [...document.querySelectorAll('#transcript article.msg-assistant')].pop();
        return a && a.querySelectorAll('.msg-body > p').length >= 2 && a.dataset.status === 'streaming'; }""")
    # Mark the first paragraph's nodes and select its first words.
    page.evaluate("""() => { const p = [...document.querySelectorAll('#transcript article.msg-assistant')].pop().querySelector('.msg-body > p');
        p.__mark = 'kept'; p.querySelector('math').__mark = 'kept';
        const range = document.createRange(); range.setStart(p.firstChild, 0); range.setEnd(p.firstChild, 15);
        getSelection().removeAllRanges(); getSelection().addRange(range); }""")
    assert page.evaluate("getSelection().toString()") == "First paragraph"
    assert wait_final(page, timeout=30_000) == "complete"
    assert first.evaluate("p => p.__mark") == "kept", "the first paragraph was rendered again"
    assert first.evaluate("p => p.querySelector('math').__mark") == "kept", "its formula was rendered again"
    assert page.evaluate("getSelection().toString()") == "First paragraph"
    expect(page.locator(LAST_ANSWER).locator(".msg-body > p")).to_have_count(3)
    expect(page.locator(LAST_ANSWER).locator(".msg-body")).to_contain_text("until the end of the answer and after it.")


def test_a_selection_in_the_streaming_block_is_not_wiped_by_new_tokens(page):
    new_session(page)
    set_model(page, "fake/slow")  # one long paragraph, 20 ms a word: the block under the selection keeps growing
    send(page, "a long answer please")
    body = page.locator(LAST_ANSWER).locator(".msg-body")
    page.wait_for_function("""() => { const a = [...document.querySelectorAll('#transcript article.msg-assistant')].pop();
        return a && a.querySelector('.msg-body p') && a.querySelector('.msg-body').textContent.length > 200; }""")
    page.evaluate("""() => { const p = [...document.querySelectorAll('#transcript article.msg-assistant')].pop().querySelector('.msg-body p');
        const range = document.createRange(); range.setStart(p.firstChild, 0); range.setEnd(p.firstChild, 40);
        getSelection().removeAllRanges(); getSelection().addRange(range); window.__selected = getSelection().toString();
        window.__length = p.closest('.msg-body').textContent.length; }""")
    selected = page.evaluate("window.__selected")
    assert len(selected) == 40
    # At 20 ms a word, 150 more words is 3 s of tokens: many re-render periods (100 ms) pass meanwhile.
    page.wait_for_function("() => document.querySelector('#transcript article.msg-assistant:last-of-type .msg-body').textContent.length > window.__length + 900",
                           timeout=15_000)
    assert page.evaluate("getSelection().toString()") == selected, "the selection was wiped by new tokens"
    assert page.evaluate("getSelection().anchorNode.isConnected")
    shot(page, "selection-while-streaming-desktop")
    # Releasing the selection lets the Markdown catch up; Esc stops the answer.
    page.evaluate("getSelection().removeAllRanges()")
    page.keyboard.press("Escape")
    assert wait_final(page, timeout=15_000) == "stopped"
    assert body.locator("p").count() == 1
    assert body.evaluate("b => [...b.childNodes].every(n => n.nodeType === 1)"), "raw text left outside the paragraph"
