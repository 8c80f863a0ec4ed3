#!/usr/bin/env bash
# Supply-chain and hygiene checks that can run here: compiler warnings, shellcheck, hadolint, pinned dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0

echo "== swift build (warnings)"
log=$(mktemp)
swift build -Xswiftc -assert-config -Xswiftc Release 2>&1 | tee "$log" >/dev/null  # the flags of `make test`, so .build is not rebuilt
if grep -E "^/.*(Sources|Tests)/.*warning:" "$log" | grep -v "/.build/" ; then
  echo "warnings in the project's own code (above)"; status=1
else
  echo "no warnings in Sources/ or Tests/"
fi
rm -f "$log"

echo "== shellcheck"
shellcheck scripts/*.sh .ci/run bench/*.sh || status=1

echo "== hadolint"
.venv/bin/hadolint Dockerfile.static || status=1

echo "== every dependency pinned to an exact version"
if grep -E '\.package\(' Package.swift | grep -v 'exact:'; then
  echo "dependencies above are not pinned with exact:"; status=1
else
  echo "all $(grep -cE '\.package\(' Package.swift) dependencies use exact:"
fi
exit $status
