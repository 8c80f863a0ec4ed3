#!/usr/bin/env bash
# The static binary in an empty chroot, streaming a chat over HTTPS from the fake upstream (behind stunnel, its
# self-signed CA appended to the chroot's bundle), then the container config check and the Dockerfile lint.
# Usage: scripts/test-static.sh STATIC_BINARY FAKE_UPSTREAM_BINARY
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: scripts/test-static.sh STATIC_BINARY FAKE_UPSTREAM_BINARY}
fake=${2:?usage: scripts/test-static.sh STATIC_BINARY FAKE_UPSTREAM_BINARY}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$fake" --port 0 --quiet >"$work/fake.out" &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$work/fake.out" 2>/dev/null && break; sleep 0.05; done
fake_port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/fake.out")
[[ -n $fake_port ]] || { echo "test-static: the fake upstream did not start" >&2; exit 1; }

scripts/fake-openrouter-tls.sh "$fake_port" >"$work/tls.out" &
pids+=($!)
for _ in $(seq 100); do grep -q listening_tls "$work/tls.out" 2>/dev/null && break; sleep 0.05; done
tls_port=$(sed -n 's/.*"listening_tls":"127\.0\.0\.1:\([0-9]*\)".*/\1/p' "$work/tls.out")
ca_file=$(sed -n 's/.*"ca_file":"\([^"]*\)".*/\1/p' "$work/tls.out")
[[ -n $tls_port && -n $ca_file ]] || { echo "test-static: the TLS front did not start" >&2; exit 1; }

SMOKE_EXTRA_CONFIG="[upstream]
base_url = \"https://127.0.0.1:$tls_port/api/v1\"" \
SMOKE_CA_APPEND="$ca_file" SMOKE_CHAT_MODEL="fake/lorem" scripts/chroot-smoke.sh "$bin"

"$bin" check-config --config etc/neural-terminal.container.toml
.venv/bin/hadolint Dockerfile.static
echo "test-static: PASS"
