#!/usr/bin/env python3
"""Each target's declared dependencies in Package.swift equal the modules its Swift files import.

Fails (exit 1), naming each mismatch, when a target declares a dependency none of its files imports, or a file
imports a module its target does not declare (SwiftPM lets a module reach a transitive dependency's modules, so such
an import builds today and breaks when someone else's dependency list changes). A product dependency stands for the
module of the same name (`.product(name: "Logging", package: "swift-log")` → Logging; every product this package
uses is a library of one module of its own name). Toolchain modules (Foundation, Glibc, Testing, …) need no
declaration. Targets without Swift files (C and system libraries) are skipped.

A dependency kept though not imported (e.g. one a test target needs built, not imported) is marked in
Package.swift with a comment `// kept: <Target> <Module> — why`.
Usage: scripts/check-imports.py [--graph] [PACKAGE_DIR]
  --graph prints each non-test target's dependencies inside the package, by depth, instead of checking.
"""
import os
import re
import sys

TOOLCHAIN = {
    "Swift", "_Concurrency", "_StringProcessing", "Foundation", "FoundationEssentials", "FoundationNetworking",
    "FoundationInternationalization", "Dispatch", "Synchronization", "Glibc", "Musl", "Darwin", "Android", "WinSDK",
    "ucrt", "os", "Testing", "XCTest",
}
TARGET_KINDS = ("target", "executableTarget", "testTarget", "systemLibrary", "binaryTarget", "plugin", "macro")


def blank_comments_and_strings(text):
    """The text with every comment blanked and every string literal's contents replaced by `_`, newlines and lengths
    kept (so offsets and line numbers hold, brackets inside them do not count, and an `import` inside a multi-line
    string, such as an embedded Python script, is not read as code)."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
        elif text.startswith("/*", i):
            depth, end = 0, i
            while end < n:
                if text.startswith("/*", end):
                    depth, end = depth + 1, end + 2
                elif text.startswith("*/", end):
                    depth, end = depth - 1, end + 2
                    if depth == 0:
                        break
                else:
                    end += 1
        elif re.match(r'#*"', text[i:i + 8]):
            hashes = len(text[i:]) - len(text[i:].lstrip("#"))
            start = i + hashes
            quote = '"""' if text.startswith('"""', start) else '"'
            close = quote + "#" * hashes
            end = start + len(quote)
            while end < n and not text.startswith(close, end):
                end += 2 if (text[end] == "\\" and hashes == 0) else 1
            end = min(n, end + len(close))
            body = "".join(c if c == "\n" else "_" for c in text[start + len(quote):end - len(close)])
            out.append(text[i:start + len(quote)] + body + text[end - len(close):end])
            i = end
            continue
        else:
            out.append(text[i])
            i += 1
            continue
        out.append("".join(c if c == "\n" else " " for c in text[i:end]))
        i = end
    return "".join(out)


def closing(text, start):
    """Index of the bracket closing the one at `start`."""
    depth = 0
    for end in range(start, len(text)):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(text[end], 0)
        if depth == 0:
            return end
    raise ValueError(f"Package.swift: bracket at offset {start} is never closed")


def top_level_items(text):
    """The comma-separated items of a bracket's contents, split only outside nested brackets."""
    items, depth, current = [], 0, []
    for char in text:
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return [item for item in items if item]


def argument(code, label):
    """(start, end) in code of the value of `label:` among the first call's top-level arguments, or None
    (code: source with comments and strings blanked, so brackets in them do not count)."""
    open_paren = code.index("(")
    inner, offset = code[open_paren + 1:closing(code, open_paren)], open_paren + 1
    position = 0
    for item in top_level_items(inner):
        at = inner.index(item, position)
        position = at + len(item)
        if re.match(rf"{label}\s*:", item):
            value_at = at + item.index(":") + 1
            value_at += len(inner[value_at:position]) - len(inner[value_at:position].lstrip())
            return offset + value_at, offset + position
    return None


def dependency_module(item, variables):
    """The module a dependency item stands for: "X", .product(name: "X", …), .target(name: "X"), .byName(name: "X")
    or a `let` holding one of them."""
    item = item.strip()
    if re.fullmatch(r"\w+", item):
        if item not in variables:
            raise ValueError(f"Package.swift: dependency {item} is not a `let` of this manifest")
        item = variables[item]
    match = re.fullmatch(r'"([^"]+)"', item) or re.match(r'\.(?:product|target|byName)\(\s*name:\s*"([^"]+)"', item)
    if not match:
        raise ValueError(f"Package.swift: cannot read the dependency {item!r}")
    return match.group(1)


def read_manifest(root):
    """{target name: (kind, source directory, set of declared modules, exclude list)} and {target: modules kept though not imported}."""
    text = open(os.path.join(root, "Package.swift"), encoding="utf-8").read()
    kept_unimported = {}
    for target, module in re.findall(r"//\s*kept:\s*(\w+)\s+(\w+)", text):
        kept_unimported.setdefault(target, set()).add(module)
    code = blank_comments_and_strings(text)
    variables = {}
    for match in re.finditer(r"\blet\s+(\w+)\s*(?::\s*[\w.]+\s*)?=\s*(\.\w+\()", code):
        start = match.start(2)
        variables[match.group(1)] = text[start:closing(code, match.end(2) - 1) + 1]
    package_at = re.search(r"\bPackage\(", code)
    if not package_at:
        raise ValueError("Package.swift: no `Package(` found")
    span = argument(code[package_at.start():], "targets")
    if not span or code[package_at.start() + span[0]] != "[":
        raise ValueError("Package.swift: Package( has no `targets: [`")
    open_bracket = package_at.start() + span[0]
    end = closing(code, open_bracket)
    targets = {}
    position = open_bracket + 1
    for item in top_level_items(code[open_bracket + 1:end]):
        at = code.index(item, position)
        position = at + len(item)
        call, call_code = text[at:position], code[at:position]
        kind = re.match(r"\.(\w+)\(", call_code)
        if not kind or kind.group(1) not in TARGET_KINDS:
            raise ValueError(f"Package.swift: cannot read the target {call[:60]!r}")
        name = re.search(r'name:\s*"([^"]+)"', call).group(1)
        path = argument(call_code, "path")
        default = "Tests" if kind.group(1) == "testTarget" else "Sources"
        directory = os.path.join(root, call[path[0]:path[1]].strip('"') if path else os.path.join(default, name))
        declared = set()
        dependencies = argument(call_code, "dependencies")
        if dependencies:
            list_at = dependencies[0]
            list_end = closing(call_code, list_at)
            inner, inner_code = call[list_at + 1:list_end], call_code[list_at + 1:list_end]
            position_in = 0
            for dep_code in top_level_items(inner_code):
                dep_at = inner_code.index(dep_code, position_in)
                position_in = dep_at + len(dep_code)
                declared.add(dependency_module(inner[dep_at:position_in], variables))
        exclude_span = argument(call_code, "exclude")
        exclude = re.findall(r'"([^"]+)"', call[exclude_span[0]:exclude_span[1]]) if exclude_span else []
        targets[name] = (kind.group(1), directory, declared, exclude)
    return targets, kept_unimported


IMPORT = re.compile(
    r"^[ \t]*(?:@\w+(?:\([^)\n]*\))?[ \t]+)*(?:(?:public|package|internal|fileprivate|private)[ \t]+)?import[ \t]+"
    r"(?:(?:typealias|struct|class|enum|protocol|let|var|func)[ \t]+)?(\w+)", re.M)


def imports_of(root, directory, exclude):
    """{module: first "file:line" importing it} over the Swift files under directory (excluded paths skipped)."""
    found = {}
    for folder, subfolders, files in os.walk(directory):
        relative = os.path.relpath(folder, directory)
        subfolders[:] = sorted(d for d in subfolders if os.path.normpath(os.path.join(relative, d)) not in exclude)
        for file in sorted(files):
            if not file.endswith(".swift"):
                continue
            path = os.path.join(folder, file)
            code = blank_comments_and_strings(open(path, encoding="utf-8").read())
            for match in IMPORT.finditer(code):
                line = code.count("\n", 0, match.start()) + 1
                found.setdefault(match.group(1), f"{os.path.relpath(path, root)}:{line}")
    return found


def print_graph(targets):
    """Each non-test target's dependencies inside this package, by depth (0: depends on none of them)."""
    own = {name: sorted(d for d in declared if d in targets)
           for name, (kind, _, declared, _) in targets.items() if kind != "testTarget"}
    depth = {}

    def depth_of(name, seen=()):
        if name in seen:
            raise ValueError(f"Package.swift: dependency cycle through {' → '.join(seen + (name,))}")
        if name not in depth:
            depth[name] = 1 + max((depth_of(d, seen + (name,)) for d in own[name]), default=-1)
        return depth[name]

    for name in sorted(own, key=lambda n: (depth_of(n), n)):
        print(f"{depth[name]} {name} ← {', '.join(own[name]) or '(none)'}")


def main(root, graph=False):
    targets, kept_unimported = read_manifest(root)
    if graph:
        print_graph(targets)
        return 0
    problems, checked, edges = [], 0, 0
    for name, (kind, directory, declared, exclude) in targets.items():
        imported = imports_of(root, directory, exclude) if os.path.isdir(directory) else {}
        if not imported and kind in ("systemLibrary", "binaryTarget", "target") and not declared:
            continue  # a C or system library: nothing to compare
        checked += 1
        edges += len(declared)
        kept = kept_unimported.get(name, set())
        for module in sorted(declared - set(imported) - kept):
            problems.append(f"Package.swift: {name} declares {module} but no Swift file under "
                            f"{os.path.relpath(directory, root)} imports it")
        for module in sorted(kept - declared):
            problems.append(f"Package.swift: kept: {name} {module} names a dependency {name} does not declare")
        for module, where in sorted(imported.items()):
            if module not in declared and module not in TOOLCHAIN and module != name:
                problems.append(f"{where}: imports {module}, which {name} does not declare in Package.swift")
    for problem in problems:
        print(problem)
    if problems:
        print(f"check-imports: {len(problems)} mismatch(es) between Package.swift and the imports")
        return 1
    print(f"check-imports: {checked} Swift targets, {edges} declared dependencies, each imported; every import declared")
    return 0


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--graph"]
    try:
        sys.exit(main(arguments[0] if arguments else os.path.join(os.path.dirname(__file__), ".."),
                      graph="--graph" in sys.argv[1:]))
    except (ValueError, OSError) as error:
        print(f"check-imports: {error}")
        sys.exit(2)
