"""Safe by construction, checked in the sources: no API that parses HTML or evaluates strings appears in the
page's code, and index.html has no inline script, style or event handler (the strict CSP would refuse them)."""
import pathlib
import re

WEB = pathlib.Path(__file__).resolve().parents[2] / "Sources/WebWorker/Assets/web"
FORBIDDEN_JS = [
    r"\.innerHTML", r"\.outerHTML", r"insertAdjacentHTML", r"document\.write", r"\beval\s*\(", r"new\s+Function\b",
    r"createContextualFragment", r"DOMParser", r"setAttribute\(\s*[\"']style", r"setAttribute\(\s*[\"']on",
    r"setTimeout\(\s*[\"'`]", r"setInterval\(\s*[\"'`]", r"https?://(?!www\.w3\.org/2000/svg)",
]


def test_the_scripts_never_parse_html_or_evaluate_strings():
    scripts = sorted(WEB.glob("*.js"))
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
