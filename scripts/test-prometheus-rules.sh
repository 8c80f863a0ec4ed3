#!/usr/bin/env bash
# The alerting rules: `promtool check rules` (syntax, templates, lint), `promtool test rules` (the unit tests in
# etc/prometheus/tests/), and two checks promtool cannot make: every alert has a unit test in which it fires,
# and every alert's runbook_url names a section of docs/runbook.md that exists.
# Usage: scripts/test-prometheus-rules.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rules=etc/prometheus/neural-terminal.rules.yml
command -v promtool >/dev/null || { echo "test-prometheus-rules: promtool not found (Debian's prometheus package; make install)" >&2; exit 1; }

promtool check rules "$rules"
promtool test rules etc/prometheus/tests/*.yml

python3 - "$rules" docs/runbook.md etc/prometheus/tests/*.yml <<'PY'
import re, sys
rules_path, runbook_path, *test_paths = sys.argv[1:]
rules = open(rules_path).read()
alerts = re.findall(r"^\s*- alert: (\S+)\s*$", rules, re.M)
problems = []
if not alerts:
    problems.append(f"{rules_path}: no alerts found")
# An alert fires in a test when an `alertname: X` case is followed by an exp_alerts list with an entry.
tests = "\n".join(open(p).read() for p in test_paths)
cases = re.split(r"^\s*- eval_time:", tests, flags=re.M)
firing = {m.group(1) for case in cases if (m := re.search(r"alertname: (\S+)", case)) and re.search(r"exp_alerts:\s*\n\s*- exp_labels", case)}
for alert in alerts:
    if alert not in firing:
        problems.append(f"{alert}: no unit test in which it fires")
# Each rule block has one runbook_url, docs/runbook.md#anchor, and the anchor is a heading of the runbook.
headings = {re.sub(r"[^a-z0-9 _-]", "", h.strip().lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", open(runbook_path).read(), re.M)}
for block in re.split(r"^\s*- alert: ", rules, flags=re.M)[1:]:
    name = block.split()[0]
    url = re.search(r'runbook_url: "docs/runbook\.md#([^"]+)"', block)
    if not url:
        problems.append(f"{name}: no runbook_url of the form docs/runbook.md#section")
    elif url.group(1) not in headings:
        problems.append(f"{name}: docs/runbook.md has no section #{url.group(1)}")
for p in problems:
    print(f"test-prometheus-rules: {p}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"test-prometheus-rules: {len(alerts)} alerts, each firing in a unit test, each with its runbook section")
PY
