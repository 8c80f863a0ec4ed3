#!/usr/bin/env python3
"""Copy the UI's two third-party libraries from Debian's packages into Sources/WebWorker/Assets/web.

KaTeX (libjs-katex) renders LaTeX as MathML and highlight.js (libjs-highlight.js) colours code. Both are
committed beside the UI's own files with their licences, so `scripts/embed-assets.py` and a fresh clone need
no package; run this script again (as root: `apt-get install libjs-katex libjs-highlight.js`, which
scripts/install-deps.sh does) to move to the packaged versions. It writes:

  katex.min.js           Debian's minified KaTeX, unchanged (KaTeX's fonts are not needed: MathML output uses
                         the browser's math font)
  katex.LICENSE.txt      /usr/share/doc/libjs-katex/copyright
  highlight.min.js       highlight.js's core and only the LANGUAGES below (Debian ships all 185 languages in
                         one 830 kB file), with a header naming the package version and the languages
  highlight.LICENSE.txt  /usr/share/doc/libjs-highlight.js/copyright

Usage: scripts/vendor-web-libs.py [--check]   (--check: exit 1 if the committed copies differ from the packages)
Standard library only.
"""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
WEB = ROOT / "Sources/WebWorker/Assets/web"
KATEX = pathlib.Path("/usr/share/javascript/katex/katex.min.js")
HLJS = pathlib.Path("/usr/share/javascript/highlight.js/highlight.min.js")
LICENCES = {
    "katex.LICENSE.txt": pathlib.Path("/usr/share/doc/libjs-katex/copyright"),
    "highlight.LICENSE.txt": pathlib.Path("/usr/share/doc/libjs-highlight.js/copyright"),
}

# What researchers paste and models answer in. A fence naming another language is shown uncoloured. xml covers
# html and svg, cpp covers c, cs covers csharp, ini covers toml, shell is `console` sessions (it needs bash).
LANGUAGES = [
    "bash", "cpp", "cs", "css", "diff", "dockerfile", "go", "haskell", "ini", "java", "javascript", "json", "julia",
    "kotlin", "lua", "makefile", "markdown", "matlab", "perl", "php", "plaintext", "python", "r", "ruby", "rust",
    "scala", "shell", "sql", "swift", "tex", "typescript", "xml", "yaml",
]

REGISTER = re.compile(r'hljs\.registerLanguage\("([^"]+)"')


def package_version(name: str) -> str:
    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True)
    if out.returncode != 0 or not out.stdout:
        raise SystemExit(f"vendor-web-libs: Debian package {name} is not installed (scripts/install-deps.sh installs it)")
    return out.stdout


def highlight_subset() -> str:
    """The core (everything before the first language) and the chosen `hljs.registerLanguage(…);` statements."""
    text = HLJS.read_text(encoding="utf-8")
    starts = [m.start() for m in REGISTER.finditer(text)]
    if not starts:
        raise SystemExit(f"vendor-web-libs: {HLJS}: no registerLanguage statements; the package layout changed")
    chunks = {}
    for start, end in zip(starts, starts[1:] + [len(text)]):
        chunk = text[start:end]
        if not chunk.endswith("});"):
            raise SystemExit(f"vendor-web-libs: {HLJS}: a language does not end with '}});' at {end}; the layout changed")
        chunks[REGISTER.match(chunk).group(1)] = chunk
    missing = [name for name in LANGUAGES if name not in chunks]
    if missing:
        raise SystemExit(f"vendor-web-libs: {HLJS} lacks {', '.join(missing)}")
    version = package_version("libjs-highlight.js")
    header = (f"/*! highlight.js from Debian's libjs-highlight.js {version}: the core and {len(LANGUAGES)} languages "
              f"({' '.join(LANGUAGES)}), cut by scripts/vendor-web-libs.py. BSD-3-Clause: highlight.LICENSE.txt */\n")
    return header + text[:starts[0]] + "\n" + "\n".join(chunks[name] for name in LANGUAGES) + "\n"


def katex() -> str:
    version = package_version("libjs-katex")
    body = KATEX.read_text(encoding="utf-8")
    return f"/*! KaTeX from Debian's libjs-katex {version}, unchanged. MIT (Expat): katex.LICENSE.txt */\n" + body + "\n"


def wanted() -> dict:
    files = {"katex.min.js": katex(), "highlight.min.js": highlight_subset()}
    for name, path in LICENCES.items():
        files[name] = path.read_text(encoding="utf-8")
    return files


def main() -> int:
    check = sys.argv[1:] == ["--check"]
    if sys.argv[1:] and not check:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    stale = []
    for name, text in wanted().items():
        path = WEB / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(name)
        if not check:
            path.write_text(text, encoding="utf-8")
            print(f"vendor-web-libs: wrote {path.relative_to(ROOT)} ({len(text.encode())} bytes)")
    if check and stale:
        print(f"vendor-web-libs: differ from the installed packages: {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
