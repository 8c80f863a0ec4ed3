#!/usr/bin/env bash
# The whole product without a key or a network: the fake OpenRouter on 127.0.0.1:18999 and the appliance
# (release build) pointed at it, with the config file's other settings. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
app=${1:?usage: scripts/demo.sh APPLIANCE_BINARY FAKE_BINARY [CONFIG]}
fake=${2:?usage: scripts/demo.sh APPLIANCE_BINARY FAKE_BINARY [CONFIG]}
config=${3:-etc/neural-terminal.toml}
port=${DEMO_UPSTREAM_PORT:-18999}

"$fake" --host 127.0.0.1 --port "$port" --quiet --token-delay-ms 30 --ttft-ms 300 >/dev/null &
fake_pid=$!
trap 'kill "$fake_pid" 2>/dev/null || true' EXIT
echo "demo: fake OpenRouter on http://127.0.0.1:$port/api/v1 (models fake/lorem, fake/reasoning, fake/slow, fake/http-429, …)"
echo "demo: open http://127.0.0.1:8080 (or your server.listen); Ctrl-C stops"
OPENROUTER_API_KEY=sk-or-v1-demo-key-not-secret \
NEURAL_TERMINAL_UPSTREAM_BASE_URL="http://127.0.0.1:$port/api/v1" \
NEURAL_TERMINAL_UPSTREAM_DEFAULT_MODEL="fake/lorem" \
  "$app" run --config "$config"
