#!/usr/bin/env bash
# Every benchmark of the release build (`make bench`), on loopback only, each bounded in count and time:
#   1. start to /ready and idle memory (bench/startup.sh)
#   2. the chat turn (bench/turn_bench.py): added time to first token p50/p99 and its ratio to a direct connection,
#      errors, turns per second, CPU per relayed stream, cores used, peak RSS at 1, 50, 500 and 2,000 streams, on a
#      fresh database and on one holding BENCH_HISTORY (100,000) messages, and on PostgreSQL at BENCH_PG_LEVELS (50)
#      with one and with two appliances on one database (BENCH_PG_INSTANCES, 1,2), medians of BENCH_RUNS (3) runs;
#      idle CPU; then the web worker's CPU per turn start in a burst of 300 (bench/turn_start_cpu.py) and the
#      turn's SQL alone per turn, fresh and with history, random and time-ordered ids (bench/turn_rows.py); and the
#      floor: the same harness at 50, 500 and 2,000 streams through a C relay that only moves bytes
#      (bench/relay_floor.py, bench/floor_relay.c, built with cc), what any relay on this machine pays at least
#   3. authentication per request and the login queue (bench/auth_bench.py)
#   4. export, import and search at scale (bench/archive_bench.sh; BENCH_CONVERSATIONS conversations)
#   5. a backup while writers run (bench/backup_bench.sh; BENCH_BACKUP_MB, default 256)
# The load average before and after is printed; results go to the terminal and to bench/results/<UTC time>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
app=${1:?usage: bench/run.sh APPLIANCE_BINARY FAKE_BINARY}
fake=${2:?usage: bench/run.sh APPLIANCE_BINARY FAKE_BINARY}
mkdir -p bench/results
out="bench/results/$(date -u +%Y%m%dT%H%M%SZ).txt"
ulimit -n 65536 2>/dev/null || true

# Everything below goes to the terminal and to the results file.
exec > >(tee "$out") 2>&1
echo "# Neural Terminal benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $("$app" version | head -2 | tr '\n' ' ')"
echo "## 1. start-up"
bench/startup.sh "$app"
echo "## 2. the chat turn"
python3 bench/turn_bench.py --app "$app" --fake "$fake" --levels "${BENCH_LEVELS:-1,50,500,2000}" \
  --runs "${BENCH_RUNS:-3}" --history "${BENCH_HISTORY:-100000}" --postgres-levels "${BENCH_PG_LEVELS-50}" \
  --postgres-instances "${BENCH_PG_INSTANCES:-1,2}"
python3 bench/turn_start_cpu.py --app "$app" --fake "$fake"
python3 bench/turn_rows.py --app "$app" --fake "$fake" --history "${BENCH_HISTORY:-100000}"
python3 bench/relay_floor.py --fake "$fake" --runs "${BENCH_RUNS:-3}"
echo "## 3. authentication"
python3 bench/auth_bench.py "$app" "${BENCH_AUTH_REQUESTS:-3000}"
echo "## 4. export, import and search"
BENCH_CONVERSATIONS=${BENCH_CONVERSATIONS:-2000} BENCH_SMALL=${BENCH_SMALL:-500} bench/archive_bench.sh "$app"
echo "## 5. backup while writers run"
bench/backup_bench.sh "$app" "${BENCH_BACKUP_MB:-256}"
echo "# load $(cut -d' ' -f1-3 /proc/loadavg) at the end; written to $out"
