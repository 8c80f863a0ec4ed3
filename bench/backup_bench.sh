#!/usr/bin/env bash
# Backup benchmark: a ~1 GB database of realistic chat rows, backed up while 4 writers keep creating
# conversations through the API. Prints the backup's time, MB/s, compression ratio and the writers' p99 latency
# during the backup (and without one, for comparison).
#
#   swift build -c release --product neural-terminal
#   bench/backup_bench.sh [.build/release/neural-terminal] [target MB, default 1024]
#
# Needs sqlite3 and python3. Not part of `make test` (it writes ~1.5 GB and takes minutes).
set -euo pipefail
BIN=${1:-.build/release/neural-terminal}
TARGET_MB=${2:-1024}
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)"; exit 1; }
WORK=$(mktemp -d /var/tmp/nt-backup-bench.XXXXXX)
trap 'kill $APP 2>/dev/null || true; wait $APP 2>/dev/null || true; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WEB=$(free_port); MET=$(free_port)
cat > "$WORK/nt.toml" <<TOML
server.listen = "127.0.0.1:$WEB"
metrics.listen = "127.0.0.1:$MET"
storage.data_dir = "$WORK/data"
backup.interval_minutes = 0
backup.min_free_mb = 0
limits.api_requests_per_minute = 0
TOML

start() { "$BIN" run --config "$WORK/nt.toml" >>"$WORK/log.jsonl" 2>&1 & APP=$!
  for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$MET/ready" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "appliance did not become ready"; tail -5 "$WORK/log.jsonl"; exit 1; }
stop() { kill -TERM $APP; wait $APP || true; }

echo "== migrating an empty database"
start; stop
DB="$WORK/data/neural-terminal.db"

echo "== generating ~${TARGET_MB} MB of conversations (sentences of a 200-word vocabulary, FTS index on)"
t0=$(date +%s)
CONVS=$(( TARGET_MB * 1024 * 1024 / 12000 ))
sqlite3 "$DB" >/dev/null <<SQL
PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
CREATE TEMP TABLE words(i INTEGER PRIMARY KEY, w TEXT);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i < 199)
INSERT INTO words SELECT i, lower(hex(randomblob(2 + abs(random()) % 4))) FROM n;
UPDATE words SET w = (SELECT value FROM json_each('["the","model","answer","token","context","function","returns","because","latency","stream","memory","vector","paper","result","prompt","reasoning","python","swift","database","cost","however","which","would","could","example","first","second","table","shows","error","value","this","that","with","from","into","about","using","when","then"]') WHERE key = words.i) WHERE i < 40;
CREATE TEMP TABLE sentences(i INTEGER PRIMARY KEY, s TEXT);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i < 8191)
INSERT INTO sentences SELECT i, (SELECT group_concat(w, ' ') FROM words WHERE words.i IN ((abs(random()) + n.i * 0) % 200, (abs(random()) + n.i * 0) % 200, (abs(random()) + n.i * 0) % 200, (abs(random()) + n.i * 0) % 200, (abs(random()) + n.i * 0) % 200, (abs(random()) + n.i * 0) % 200, (abs(random()) + n.i * 0) % 200, (abs(random()) + n.i * 0) % 200, (abs(random()) + n.i * 0) % 200, (abs(random()) + n.i * 0) % 200, (abs(random()) + n.i * 0) % 200, (abs(random()) + n.i * 0) % 200)) || '. ' FROM n;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i < $CONVS - 1)
INSERT INTO conversations (id, title, model, created_at, updated_at)
SELECT 'bench-' || n.i, (SELECT s FROM sentences WHERE sentences.i = (abs(random()) + n.i * 0) % 8192), 'openai/gpt-4o-mini',
       strftime('%Y-%m-%dT%H:%M:%fZ', 1700000000 + n.i * 60, 'unixepoch'), strftime('%Y-%m-%dT%H:%M:%fZ', 1700000000 + n.i * 60, 'unixepoch') FROM n;
WITH RECURSIVE seq(k) AS (SELECT 0 UNION ALL SELECT k+1 FROM seq WHERE k < 7)
INSERT INTO messages (id, conversation_id, seq, role, content, model, status, prompt_tokens, completion_tokens, cost_usd, created_at, updated_at)
SELECT c.id || '-' || k, c.id, k, CASE k % 2 WHEN 0 THEN 'user' ELSE 'assistant' END,
       (SELECT group_concat(s, '') FROM sentences WHERE sentences.i IN ((abs(random()) + k * 0 + length(c.id) * 0) % 8192, (abs(random()) + k * 0 + length(c.id) * 0) % 8192, (abs(random()) + k * 0 + length(c.id) * 0) % 8192, (abs(random()) + k * 0 + length(c.id) * 0) % 8192, (abs(random()) + k * 0 + length(c.id) * 0) % 8192, (abs(random()) + k * 0 + length(c.id) * 0) % 8192, (abs(random()) + k * 0 + length(c.id) * 0) % 8192, (abs(random()) + k * 0 + length(c.id) * 0) % 8192, (abs(random()) + k * 0 + length(c.id) * 0) % 8192, (abs(random()) + k * 0 + length(c.id) * 0) % 8192, (abs(random()) + k * 0 + length(c.id) * 0) % 8192, (abs(random()) + k * 0 + length(c.id) * 0) % 8192)),
       'openai/gpt-4o-mini', 'complete', abs(random()) % 4000, abs(random()) % 1500, (abs(random()) % 10000) / 1e6,
       c.created_at, c.created_at
FROM conversations c, seq;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
DB_MB=$(( $(stat -c %s "$DB") / 1048576 ))
echo "   $DB_MB MB in $(( $(date +%s) - t0 )) s"

start
cat > "$WORK/writers.py" <<'PY'
import http.client, json, os, sys, threading, time
port, seconds, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
stopfile = out + ".stop"
lat, errors, stop = [], [0], time.time() + seconds
def writer(n):
    i = 0
    while time.time() < stop and not os.path.exists(stopfile):
        t = time.perf_counter()
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request("POST", "/api/conversations", json.dumps({"title": f"bench writer {n} {i}"}), {"Content-Type": "application/json"})
            r = c.getresponse(); r.read(); c.close()
            if r.status != 201: errors[0] += 1
            else: lat.append((time.time(), time.perf_counter() - t))
        except Exception:
            errors[0] += 1
        i += 1
ts = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
json.dump({"samples": lat, "errors": errors[0]}, open(out, "w"))
PY
p99() { python3 - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); lo, hi = float(sys.argv[2]), float(sys.argv[3])
xs = sorted(l for (t, l) in d["samples"] if lo <= t <= hi)
p = lambda q: xs[min(len(xs) - 1, int(len(xs) * q))] * 1000 if xs else 0
print(f"{len(xs)} writes, p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, max {p(1.0):.1f} ms, errors {d['errors']}")
PY
}
echo "== baseline: 4 writers, no backup (5 s)"
python3 "$WORK/writers.py" "$WEB" 5 "$WORK/base.json"
echo "   writers: $(p99 "$WORK/base.json" 0 1e12)"

echo "== backup while 4 writers run"
python3 "$WORK/writers.py" "$WEB" 600 "$WORK/during.json" & WRITERS=$!
sleep 2
B0=$(python3 -c 'import time; print(time.time())')
"$BIN" backup --json --config "$WORK/nt.toml" > "$WORK/backup.json"
B1=$(python3 -c 'import time; print(time.time())')
touch "$WORK/during.json.stop"; wait $WRITERS
echo "   writers during the backup: $(p99 "$WORK/during.json" "$B0" "$B1")"
python3 - "$WORK/backup.json" "$B0" "$B1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); m = r["manifest"]; wall = float(sys.argv[3]) - float(sys.argv[2])
mb = m["database_bytes"] / 1e6
print(f"   backup: {m['file']}")
print(f"   database {mb:.0f} MB -> {m['compressed_bytes']/1e6:.0f} MB, ratio {m['database_bytes']/m['compressed_bytes']:.2f}x, zstd level {m['zstd_level']}")
print(f"   time {m['duration_seconds']:.1f} s in the worker ({wall:.1f} s wall), {mb / m['duration_seconds']:.0f} MB/s")
print("   phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(m.get("phase_seconds", {}).items())))
PY
stop
