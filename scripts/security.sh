#!/usr/bin/env bash
# Supply-chain and hygiene checks that can run here, each reported with its time; exits 1 if any fails.
#   1. swift build with the flags of `make test` (so after `make test` it is a no-op), then every compiler warning
#      in Sources/ and Tests/, read from the serialized diagnostics of the last compile of each file
#      (scripts/swift-warnings.py); any warning fails unless listed in scripts/swift-warnings.allow (empty).
#   2. shellcheck on every shell script (scripts/, bench/, .ci/, tests/: *.sh and files with a shell shebang).
#   3. hadolint on Dockerfile.static.
#   4. every dependency pinned to an exact version (scripts/check-pins.py).
#   5. .github/workflows/ci.yml against the GitHub workflow schema vendored in check-jsonschema (offline).
#   6. each target's dependencies in Package.swift equal the modules its files import (scripts/check-imports.py).
#   7. systemd-analyze verify on etc/neural-terminal.service, as a copy whose ExecStart= is the built binary (verify
#      requires the executable to exist); any message fails, since verify exits 0 on unknown keys and bad values.
# `make security` installs the tools first (scripts/install-deps.sh); CI (.ci/run) runs it after `make test`.
# shellcheck disable=SC2317  # the check functions below are called indirectly, through run()
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
status=0
failed=()
summary=()

# run NAME COMMAND...: runs one check, prints its output, and records its result and time.
run() {
  local name=$1 start=$SECONDS result=ok
  shift
  printf '== %s\n' "$name"
  "$@" || { result=FAIL; status=1; failed+=("$name"); }
  summary+=("$(printf '%-28s %-4s %3ss' "$name" "$result" $((SECONDS - start)))")
}

swift_build() {
  local log
  log=$(mktemp)
  if ! "$SWIFT" build --build-tests -Xswiftc -assert-config -Xswiftc Release >"$log" 2>&1; then
    grep -E "error:" "$log" | head -n 40 || tail -n 40 "$log"
    rm -f "$log"
    return 1
  fi
  grep -E "^Build complete" "$log" || true
  rm -f "$log"
  python3 scripts/swift-warnings.py .build/debug --allow scripts/swift-warnings.allow
}

shell_scripts() {
  local file
  while IFS= read -r file; do
    [[ -f $file ]] || continue
    if [[ $file == *.sh ]] || head -n 1 "$file" | grep -Eq '^#!.*[/ ](ba|da|k)?sh([[:space:]]|$)'; then
      printf '%s\n' "$file"
    fi
  done < <(git ls-files --cached --others --exclude-standard -- scripts bench .ci tests 2>/dev/null ||
           find scripts bench .ci tests -type f)
}

shellcheck_all() {
  local scripts
  mapfile -t scripts < <(shell_scripts)
  shellcheck "${scripts[@]}" && echo "shellcheck: ${#scripts[@]} scripts clean: ${scripts[*]}"
}

hadolint_dockerfile() {
  .venv/bin/hadolint Dockerfile.static && echo "hadolint: Dockerfile.static clean ($(.venv/bin/hadolint --version))"
}

workflow_schema() {
  .venv/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/ci.yml
}

systemd_unit() {
  local binary dir unit output result=0
  binary=$(realpath .build/debug/neural-terminal 2>/dev/null) || { echo "no .build/debug/neural-terminal to start"; return 1; }
  dir=$(mktemp -d)
  unit=$dir/neural-terminal.service
  sed "s#^ExecStart=/usr/local/bin/neural-terminal #ExecStart=$binary #" etc/neural-terminal.service >"$unit"
  if ! grep -q "^ExecStart=$binary " "$unit"; then
    echo "etc/neural-terminal.service: no ExecStart=/usr/local/bin/neural-terminal line to point at the build"
    rm -rf "$dir"
    return 1
  fi
  output=$(systemd-analyze verify --man=no "$unit" 2>&1) || result=$?
  rm -rf "$dir"
  if [[ $result -ne 0 || -n $output ]]; then
    printf '%s\n' "${output:-systemd-analyze verify failed (exit $result)}"
    return 1
  fi
  echo "systemd-analyze verify: etc/neural-terminal.service clean ($(systemd-analyze --version | head -n 1))"
}

run "swift build + warnings" swift_build
run "shellcheck" shellcheck_all
run "hadolint" hadolint_dockerfile
run "dependencies pinned" python3 scripts/check-pins.py
run "workflow schema" workflow_schema
run "dependencies = imports" python3 scripts/check-imports.py
run "systemd unit" systemd_unit

printf '== summary\n'
printf '%s\n' "${summary[@]}"
if [[ $status -ne 0 ]]; then
  printf 'security: FAIL (%s)\n' "${failed[*]}"
else
  printf 'security: PASS\n'
fi
exit $status
