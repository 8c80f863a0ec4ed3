#!/usr/bin/env bash
# Monthly archives at scale, loopback-free (the CLI runs the archive itself, no appliance):
#   1. generate BENCH_CONVERSATIONS (10,000) × BENCH_MESSAGES (20) conversations (bench/archive_gen.py: last
#      activity spread over 2026-01 … 2026-11) and export them all, for the size of the plain JSON Lines
#   2. `neural-terminal archive --json` with after_days = BENCH_AFTER_DAYS (90) and prune = BENCH_PRUNE (true) under
#      /usr/bin/time -v: wall time, peak RSS, conversations archived and pruned, month files and their sizes
#   3. the same again (nothing new: the idempotent re-run)
#   4. `neural-terminal import` of every month file into an empty database
# Results are printed and written to bench/results/month-archive-<UTC time>.txt.
# usage: bench/month_archive_bench.sh [BINARY]   (default .build/release/neural-terminal; build: swift build -c release)
set -euo pipefail
cd "$(dirname "$0")/.."
app=${1:-.build/release/neural-terminal}
count=${BENCH_CONVERSATIONS:-10000}
messages=${BENCH_MESSAGES:-20}
after=${BENCH_AFTER_DAYS:-90}
prune=${BENCH_PRUNE:-true}
mkdir -p bench/results
out="bench/results/month-archive-$(date -u +%Y%m%dT%H%M%SZ).txt"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

config() {
  printf 'storage.data_dir = "%s"\nlog.level = "warning"\narchive.after_days = %s\narchive.prune = %s\n' "$work/$1" "$after" "$prune" >"$work/$1.toml"
}

# Runs a command under /usr/bin/time -v; prints "<label>: <wall> (m:ss), peak RSS <MiB> MiB".
measure() {
  local label=$1; shift
  /usr/bin/time -v "$@" 2>"$work/time.txt" >"$work/stdout.txt"
  printf '%-40s %10s (m:ss)  peak RSS %7s MiB\n' "$label" \
    "$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")" \
    "$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$work/time.txt")"
}

exec > >(tee "$out") 2>&1
echo "# Neural Terminal monthly archive benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $("$app" version | head -1)"
echo '{"exported_at":"2026-01-01T00:00:00.000Z","format":"neural-terminal-export","version":1}' >"$work/header.jsonl"
for name in big fresh; do config "$name"; "$app" import --config "$work/$name.toml" "$work/header.jsonl" 2>/dev/null; done
python3 bench/archive_gen.py "$work/big/neural-terminal.db" --conversations "$count" --messages "$messages"
"$app" export --config "$work/big.toml" --output "$work/all.jsonl" 2>/dev/null
echo "generated $count conversations × $messages messages; database $(du -h "$work/big/neural-terminal.db" | cut -f1), plain export $(du -h "$work/all.jsonl" | cut -f1)"

echo "## archive (command: /usr/bin/time -v $app archive --json --config …; after_days = $after, prune = $prune)"
measure "archive, first run" "$app" archive --json --config "$work/big.toml"
python3 - "$work/stdout.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"  ok={r['ok']} archived={r['archived_conversations']} conversations ({r['archived_messages']} messages), pruned={r['pruned_conversations']}, "
      f"{len(r['files'])} month files, {sum(f['bytes'] for f in r['files'])} bytes compressed")
PY
plain=0
for f in "$work"/big/archives/*.jsonl.zst; do plain=$((plain + $(zstd -dc "$f" | wc -c))); done
packed=$(cat "$work"/big/archives/*.jsonl.zst | wc -c)
echo "  month files decompress to $plain bytes of JSON Lines: ratio $(echo "scale=2; $plain / $packed" | bc)"
echo "  database after the run: $(sqlite3 "$work/big/neural-terminal.db" 'SELECT COUNT(*) FROM conversations') conversations"
measure "archive, second run (nothing new)" "$app" archive --json --config "$work/big.toml"
echo "  $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("archived", r["archived_conversations"], "pruned", r["pruned_conversations"])' "$work/stdout.txt")"

echo "## import (command: /usr/bin/time -v $app import --config … FILE.jsonl.zst, every month file into an empty database)"
start=$(date +%s.%N)
for f in "$work"/big/archives/*.jsonl.zst; do "$app" import --config "$work/fresh.toml" "$f" 2>/dev/null; done
printf '%-40s %10.1f s\n' "import of all month files" "$(echo "$(date +%s.%N) - $start" | bc)"
echo "  fresh database: $(sqlite3 "$work/fresh/neural-terminal.db" 'SELECT COUNT(*) FROM conversations') conversations"
