#!/usr/bin/env python3
"""Every dependency pinned: each `.package(` in Package.swift uses `exact:` (fails naming the offender), and when a
Package.resolved is present, every package in it is a released version with its commit and the direct ones are the
very versions Package.swift names (a stale resolution fails too). Exits 1 on a problem, else prints a summary.

Transitive dependencies (swift-collections, swift-atomics, …) are resolved within the ranges their manifests
allow. Package.resolved would fix them, but the project does not commit it (.gitignore); the summary says how many
float, and docs/security.md records the decision.
Usage: scripts/check-pins.py [PACKAGE_DIR]
"""
import json
import os
import re
import subprocess
import sys


def package_calls(text):
    """(line number, source text) of every `.package(` call, parentheses balanced, comments dropped."""
    text = re.sub(r"(?m)(^|\s)//[^\n]*", r"\1", text)  # comments; `https://` has no blank before its `//`
    calls = []
    for match in re.finditer(r"\.package\(", text):
        depth, end = 0, match.start()
        for end in range(match.end() - 1, len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
        calls.append((text.count("\n", 0, match.start()) + 1, text[match.start():end + 1]))
    return calls


def main(root):
    problems = []
    manifest = open(os.path.join(root, "Package.swift"), encoding="utf-8").read()
    exact = {}
    for line, call in package_calls(manifest):
        url = re.search(r'url:\s*"([^"]+)"', call)
        version = re.search(r'exact:\s*"([^"]+)"', call)
        name = url.group(1) if url else call
        if not version:
            problems.append(f"Package.swift:{line}: {name} is not pinned with exact: ({' '.join(call.split())})")
        elif url:
            exact[url.group(1).lower().removesuffix(".git")] = version.group(1)

    resolved_path = os.path.join(root, "Package.resolved")
    pins = []
    if os.path.exists(resolved_path):
        pins = json.load(open(resolved_path, encoding="utf-8")).get("pins", [])
        for pin in pins:
            state, location = pin.get("state", {}), pin.get("location", "")
            if not state.get("version") or not state.get("revision"):
                problems.append(f"Package.resolved: {pin.get('identity')} is pinned to {state} instead of a released version and its commit")
            wanted = exact.pop(location.lower().removesuffix(".git"), None)
            if wanted and state.get("version") != wanted:
                problems.append(f"Package.resolved: {pin.get('identity')} is {state.get('version')} but Package.swift says exact: \"{wanted}\" (run `swift package resolve`)")
    for problem in problems:
        print(problem)
    if problems:
        return 1
    direct = len(package_calls(manifest))
    print(f"all {direct} direct dependencies use exact:" + (
        f"; Package.resolved agrees, and its {len(pins) - direct} transitive packages are released versions "
        "(not committed, so they may float within their ranges: docs/security.md)" if pins else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.getcwd()))
