"""Safe by construction, checked in the sources: no API that parses HTML or evaluates strings appears in the
page's code, and index.html has no inline script, style or event handler (the strict CSP would refuse them)."""
import pathlib
import re

WEB = pathlib.Path(__file__).resolve().parents[2] / "Sources/WebWorker/Assets/web"
FORBIDDEN_JS = [
    r"\.innerHTML", r"\.outerHTML", r"insertAdjacentHTML", r"document\.write", r"\beval\s*\(", r"new\s+Function\b",
    r"createContextualFragment", r"DOMParser", r"setAttribute\(\s*[\"']style", r"setAttribute\(\s*[\"']on",
    r"setTimeout\(\s*[\"'`]", r"setInterval\(\s*[\"'`]", r"https?://(?!www\.w3\.org/2000/svg)",
    # The vendored libraries' HTML-string outputs: KaTeX builds DOM nodes, highlight.js's markup is tokenized.
    r"renderToString", r"highlightBlock", r"initHighlighting", r"highlightAuto",
]
# Third-party libraries vendored from Debian (scripts/vendor-web-libs.py), each with its licence beside it.
VENDORED = {"katex.min.js": ("katex.LICENSE.txt", "libjs-katex"), "highlight.min.js": ("highlight.LICENSE.txt", "libjs-highlight.js")}


def test_the_scripts_never_parse_html_or_evaluate_strings():
    scripts = sorted(p for p in WEB.glob("*.js") if p.name not in VENDORED)
    assert len(scripts) >= 10
    for path in scripts:
        text = path.read_text()
        code = re.sub(r"^\s*//.*$", "", text, flags=re.M)  # comments may mention what the code avoids
        for pattern in FORBIDDEN_JS:
            assert not re.search(pattern, code), f"{path.name}: {pattern}"


def test_the_page_has_no_inline_script_style_or_handlers():
    html = (WEB / "index.html").read_text()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, f"inline script: {tag}"
    assert re.search(r"<script\b[^>]*>\s*[^<\s]", html) is None, "script with a body"
    assert "<style" not in html
    assert re.search(r"\sstyle\s*=", html) is None
    assert re.search(r"\son[a-z]+\s*=", html) is None
    assert re.search(r"(src|href)=\"(https?:)?//", html) is None, "every resource is served by the binary"


def test_the_stylesheet_loads_nothing_from_elsewhere():
    css = (WEB / "app.css").read_text()
    assert "@import" not in css and "url(" not in css and "@font-face" not in css


def test_the_vendored_libraries_name_their_package_and_carry_their_licence():
    assert sorted(p.name for p in WEB.glob("*.min.js")) == sorted(VENDORED)
    for name, (licence, package) in VENDORED.items():
        head = (WEB / name).read_text()[:400]
        assert f"Debian's {package} " in head and licence in head, f"{name}: header {head[:200]!r}"
        text = (WEB / licence).read_text()
        assert "Copyright" in text and "License" in text, licence
