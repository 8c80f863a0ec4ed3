#!/usr/bin/env bash
# Writes Sources/CNTSupport/build_info.h with the git commit and build time, only when the commit changed,
# so an unchanged tree does not relink.
set -euo pipefail
cd "$(dirname "$0")/.."
out=Sources/CNTSupport/build_info.h
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null | head -1)" ]; then commit="${commit}-dirty"; fi
if [ -f "$out" ] && grep -q "\"$commit\"" "$out"; then exit 0; fi
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
printf '#define NT_BUILD_COMMIT "%s"\n#define NT_BUILD_DATE "%s"\n' "$commit" "$date" > "$out"
