#!/usr/bin/env bash
# Benchmarks of the release build, on loopback only, each bounded in count and time:
#   1. start to /ready and idle memory (bench/startup.sh)
#   2. concurrent streaming chats at 1, 50 and 500 streams, through the appliance and directly against the fake
#      upstream in the same run (bench/stream_load.py): added time to first token, errors, peak RSS
#   3. Locust, headless, 50 and 500 users for BENCH_LOCUST_SECONDS each (default 30)
# Results are printed and written to bench/results/<UTC date>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
app=${1:?usage: bench/run.sh APPLIANCE_BINARY FAKE_BINARY}
fake=${2:?usage: bench/run.sh APPLIANCE_BINARY FAKE_BINARY}
seconds=${BENCH_LOCUST_SECONDS:-30}
mkdir -p bench/results
out="bench/results/$(date -u +%Y%m%dT%H%M%SZ).txt"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
[[ -x .venv/bin/locust ]] || .venv/bin/pip install --quiet locust

# Everything below goes to the terminal and to the results file. (Not `{ …; } | tee`: that block would run in a
# subshell, and the pids it starts would be invisible to the cleanup trap.)
exec > >(tee "$out") 2>&1
{
  echo "# Neural Terminal benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $("$app" version | head -2 | tr '\n' ' ')"
  echo "## 1. start-up"
  bench/startup.sh "$app"

  "$fake" --port 0 --quiet --tokens 20 --token-delay-ms 5 --ttft-ms 50 --keepalives 2 >"$work/fake.out" &
  pids+=($!)
  for _ in $(seq 100); do grep -q listening "$work/fake.out" 2>/dev/null && break; sleep 0.05; done
  fake_port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/fake.out")
  web=$(port); met=$(port)
  cat >"$work/bench.toml" <<TOML
server.listen = "127.0.0.1:$web"
metrics.listen = "127.0.0.1:$met"
storage.data_dir = "$work/data"
upstream.base_url = "http://127.0.0.1:$fake_port/api/v1"
upstream.default_model = "fake/lorem"
log.level = "warning"
limits.api_requests_per_minute = 0
limits.chat_requests_per_minute = 0
TOML
  OPENROUTER_API_KEY=sk-or-v1-bench "$app" run --config "$work/bench.toml" >"$work/app.log" 2>&1 &
  app_pid=$!
  pids+=("$app_pid")
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$met/ready")" = 200 ]; do sleep 0.05; done
  ulimit -n 65536 2>/dev/null || true

  echo "## 2. streaming load (fake upstream: 20 tokens, 5 ms apart, first token after 50 ms; 3 rounds per level)"
  python3 bench/stream_load.py --web-port "$web" --fake-port "$fake_port" --supervisor-pid "$app_pid" --levels 1,50,500 --rounds 3

  echo "## 3. Locust (3 conversationalists : 1 scripter), ${seconds} s per level"
  for users in 50 500; do
    .venv/bin/locust -f bench/locustfile.py --headless --host "http://127.0.0.1:$web" -u "$users" -r "$users" \
      -t "${seconds}s" --only-summary --csv "$work/locust$users" >/dev/null 2>&1 || true
    python3 - "$work/locust${users}_stats.csv" "$users" <<'PY'
import csv, sys
rows = {r["Name"]: r for r in csv.DictReader(open(sys.argv[1]))}
agg = rows.get("Aggregated", {})
print(f"{sys.argv[2]:>4} users: {agg.get('Request Count')} requests, {agg.get('Failure Count')} failures, "
      f"p50 {agg.get('50%')} ms, p99 {agg.get('99%')} ms, {float(agg.get('Requests/s', 0)):.1f} req/s")
PY
  done
  echo "errors in the appliance log: $(grep -c '"level":"error"' "$work/app.log" || true)"
}
echo "written to $out"
