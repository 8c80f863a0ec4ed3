#!/usr/bin/env bash
# Export, import and search at scale, on the release build, loopback only:
#   1. generate BENCH_CONVERSATIONS (10,000) conversations × BENCH_MESSAGES (20) messages straight into a database
#      (bench/archive_gen.py), and BENCH_SMALL (1,000) × 20 into a second one
#   2. `neural-terminal export` of both under /usr/bin/time -v: wall time and peak RSS (constant memory: the
#      peak must not grow with the count)
#   3. `neural-terminal import` of the big export into an empty data directory, then again (all unchanged)
#   4. POST /api/import of the big export into an empty appliance (curl), with the web worker's RSS before/after
#   5. the appliance on the big database: GET /api/export timed with curl, then ~200 searches through
#      GET /api/search (bench/archive_search.py): p50/p99
# Results are printed and written to bench/results/archive-<UTC time>.txt.
# usage: bench/archive_bench.sh [BINARY]   (default .build/release/neural-terminal; build: swift build -c release)
set -euo pipefail
cd "$(dirname "$0")/.."
app=${1:-.build/release/neural-terminal}
big=${BENCH_CONVERSATIONS:-10000}
small=${BENCH_SMALL:-1000}
messages=${BENCH_MESSAGES:-20}
mkdir -p bench/results
out="bench/results/archive-$(date -u +%Y%m%dT%H%M%SZ).txt"
work=$(mktemp -d)
pids=()
# Waits for the appliances only: a bare `wait` would also wait for the tee below, which waits for this script.
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# A config per data directory; the CLI reads only storage.data_dir.
config() {
  local name=$1 web=${2:-0} met=${3:-0}
  [ "$web" = 0 ] && web=$(port)
  [ "$met" = 0 ] && met=$(port)
  printf 'server.listen = "127.0.0.1:%s"\nmetrics.listen = "127.0.0.1:%s"\nstorage.data_dir = "%s"\nlog.level = "warning"\nlimits.api_requests_per_minute = 0\n' \
    "$web" "$met" "$work/$name" >"$work/$name.toml"
}

# Runs a command under /usr/bin/time -v; prints "<label>: <wall> s, peak RSS <MiB> MiB" plus the command's last line.
measure() {
  local label=$1; shift
  /usr/bin/time -v "$@" 2>"$work/time.txt" >/dev/null
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$work/time.txt")
  printf '%-34s %10s (m:ss)  peak RSS %7s MiB   %s\n' "$label" "$wall" "$rss" \
    "$(grep -v -E '^\s|^Command|^$' "$work/time.txt" | tail -1)"
}

echo '{"exported_at":"2026-01-01T00:00:00.000Z","format":"neural-terminal-export","version":1}' >"$work/header.jsonl"
# Not `{ …; } | tee`: that would run the steps in a subshell, and the EXIT trap would not see the appliances' pids.
exec > >(tee "$out") 2>&1
echo "# Neural Terminal archive benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $("$app" version | head -1)"
for name in big small restored fresh; do config "$name"; "$app" import --config "$work/$name.toml" "$work/header.jsonl" 2>/dev/null; done
start=$(date +%s.%N)
python3 bench/archive_gen.py "$work/big/neural-terminal.db" --conversations "$big" --messages "$messages"
python3 bench/archive_gen.py "$work/small/neural-terminal.db" --conversations "$small" --messages "$messages"
printf 'generated %s and %s conversations × %s messages in %.0f s; database %s\n' "$big" "$small" "$messages" \
  "$(echo "$(date +%s.%N) - $start" | bc)" "$(du -h "$work/big/neural-terminal.db" | cut -f1)"

echo "## CLI (command: /usr/bin/time -v $app export|import --config …)"
measure "export $small conversations" "$app" export --config "$work/small.toml" --output "$work/small.jsonl"
measure "export $big conversations" "$app" export --config "$work/big.toml" --output "$work/big.jsonl"
echo "export file: $(du -h "$work/big.jsonl" | cut -f1), $(wc -l <"$work/big.jsonl") lines"
measure "import $big into an empty database" "$app" import --config "$work/restored.toml" "$work/big.jsonl"
measure "import $big again (all unchanged)" "$app" import --config "$work/restored.toml" "$work/big.jsonl"
"$app" export --config "$work/restored.toml" --output "$work/again.jsonl" 2>/dev/null
if cmp -s <(tail -n +2 "$work/big.jsonl") <(tail -n +2 "$work/again.jsonl"); then
  echo "round trip: the re-export of the restored database is identical (header aside)"
else
  echo "round trip: DIFFERENT (only streaming→interrupted may differ; the generator writes none)"
fi

echo "## API import into an empty appliance"
web=$(port); met=$(port)
config fresh "$web" "$met"
"$app" run --config "$work/fresh.toml" >"$work/fresh.log" 2>&1 &
pids+=($!)
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$met/ready")" = 200 ]; do sleep 0.05; done
echo "web worker RSS before: $("$app" status --config "$work/fresh.toml" | awk '$1=="web" {print $6, $7}')"
curl -s -H 'Expect:' -H 'Content-Type: application/x-ndjson' --data-binary "@$work/big.jsonl" \
  -w '\nPOST /api/import: %{size_upload} bytes in %{time_total} s\n' "http://127.0.0.1:$web/api/import"
wpid=$("$app" status --config "$work/fresh.toml" | awk '$1=="web" {print $2}')
echo "web worker after: $(grep -E 'VmRSS|VmHWM' "/proc/$wpid/status" | tr -s ' \t' ' ' | tr '\n' ' ')"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

echo "## API on the $big-conversation database"
web=$(port); met=$(port)
config big "$web" "$met"
"$app" run --config "$work/big.toml" >"$work/app.log" 2>&1 &
pids+=($!)
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$met/ready")" = 200 ]; do sleep 0.05; done
curl -s -o /dev/null -w 'GET /api/export: %{size_download} bytes in %{time_total} s\n' "http://127.0.0.1:$web/api/export"
python3 bench/archive_search.py --port "$web" --words "$work/big/neural-terminal.db.words" --count 200
wpid=$("$app" status --config "$work/big.toml" | awk '$1=="web" {print $2}')
echo "web worker after export and searches: $(grep -E 'VmRSS|VmHWM' "/proc/$wpid/status" | tr -s ' \t' ' ' | tr '\n' ' ')"
echo "errors in the appliance log: $(grep -c '"level":"error"' "$work/app.log" || true)"
echo "written to $out"
