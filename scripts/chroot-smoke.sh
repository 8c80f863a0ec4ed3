#!/usr/bin/env bash
# Smoke-test a static neural-terminal binary in an empty chroot holding only what a static Swift binary needs:
#   /neural-terminal  /proc (mounted)  /etc/hosts  /etc/ssl/certs/ca-certificates.crt
#   /etc/neural-terminal.toml (written here)  /data (empty data folder)
# It starts `run`, waits (at most 10 s) for /health, /ready (metrics listener) and /api/version (web) to
# answer 200, runs the `healthcheck` subcommand inside the chroot, sends SIGTERM and expects exit 0 within
# 15 s with no process left in the chroot, checks that `healthcheck` fails once the server is gone, and writes and
# verifies a backup (its SHA-256, from the statically linked libcrypto, compared with sha256sum's).
# Needs root (mount, chroot) and curl on the host. Everything is removed on exit.
#
# Usage: scripts/chroot-smoke.sh BINARY
# Env:   SMOKE_EXTRA_CONFIG  TOML appended to the generated config (optional)
#        SMOKE_CHAT_MODEL    when set, one chat with this model through /api/chat must end "complete"
#                            (point upstream.base_url at a fake upstream with SMOKE_EXTRA_CONFIG)
#        SMOKE_CA_APPEND     a PEM file appended to the chroot's CA bundle (a test upstream's own CA)
#        SMOKE_ENV           extra NAME=VALUE words for the binary's otherwise empty environment (e.g.
#                            NEURAL_TERMINAL_STORAGE_URL=postgres://… NEURAL_TERMINAL_DATABASE_PASSWORD=…)
#        SMOKE_POSTGRES=1    the database is PostgreSQL's: step 8 expects `backup` to refuse instead
#        SMOKE_KEEP=1        keep the temp dir (not the /proc mount) for inspection
set -euo pipefail
SELF=$(realpath "${BASH_SOURCE[0]}")
usage() { sed -n '2,12p' "$SELF" | sed 's/^# \{0,1\}//'; }
case "${1:-}" in -h|--help) usage; exit 0 ;; esac
[[ $# -eq 1 ]] || { usage >&2; exit 2; }
BINARY=$(realpath -e -- "$1" 2>/dev/null) || { printf 'chroot-smoke: FAIL: %s not found\n' "$1" >&2; exit 1; }
cd "$(dirname "$SELF")/.."

log() { printf 'chroot-smoke: %s\n' "$*"; }
die() { printf 'chroot-smoke: FAIL: %s\n' "$*" >&2; exit 1; }

[[ -f $BINARY && -x $BINARY ]] || die "$BINARY is not an executable file"
[[ $(id -u) -eq 0 ]] || die "must run as root (mount -t proc, chroot)"
for tool in ldd curl mount umount mountpoint chroot env sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (run scripts/install-deps.sh)"
done
CA_FILE=/etc/ssl/certs/ca-certificates.crt
[[ -r $CA_FILE ]] || die "$CA_FILE not found (package ca-certificates)"

# 1. Static? glibc's ldd says "not a dynamic executable" for a static binary (and "statically linked"
#    for a static-pie one); anything else means it would need a loader and libraries in the chroot.
ldd_out=$(ldd "$BINARY" 2>&1 || true)
if [[ $ldd_out != *"not a dynamic executable"* && $ldd_out != *"statically linked"* ]]; then
  die "$BINARY is dynamically linked; ldd says:"$'\n'"$ldd_out"
fi
log "ldd: $(head -n 1 <<<"$ldd_out" | sed 's/^[[:space:]]*//')"

# 2. Two free loopback ports.
free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local port tries
  for tries in $(seq 1 50); do
    port=$((20000 + (RANDOM * 32768 + RANDOM + tries) % 40000))
    if ! (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free loopback port found"
}
WEB_PORT=$(free_port)
METRICS_PORT=$(free_port)
while [[ $METRICS_PORT == "$WEB_PORT" ]]; do METRICS_PORT=$(free_port); done

# 3. The chroot.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/chroot-smoke.XXXXXX")
WORK=$(cd "$WORK" && pwd -P)  # physical path: compared with /proc/PID/root below
ROOT="$WORK/root"
SERVER_PID=""
SERVER_LOG="$WORK/server.log"

chroot_pids() {  # processes whose root directory is our chroot
  local p root
  for p in /proc/[0-9]*; do
    root=$(readlink "$p/root" 2>/dev/null) || continue
    [[ $root == "$ROOT" ]] && printf '%s\n' "${p#/proc/}"
  done
  return 0
}
cleanup() {
  local rc=$? pid
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  for pid in $(chroot_pids); do kill -KILL "$pid" 2>/dev/null || true; done
  if [[ $rc -ne 0 && -s $SERVER_LOG ]]; then
    printf 'chroot-smoke: last lines of the server log:\n' >&2
    tail -n 40 "$SERVER_LOG" | sed 's/^/  | /' >&2
  fi
  if mountpoint -q "$ROOT/proc" 2>/dev/null; then
    umount "$ROOT/proc" 2>/dev/null || umount -l "$ROOT/proc" 2>/dev/null || true
  fi
  if mountpoint -q "$ROOT/proc" 2>/dev/null; then
    printf 'chroot-smoke: warning: %s/proc is still mounted; leaving %s in place\n' "$ROOT" "$WORK" >&2
  elif [[ ${SMOKE_KEEP:-0} == 1 ]]; then
    printf 'chroot-smoke: kept %s\n' "$WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$ROOT/proc" "$ROOT/etc/ssl/certs" "$ROOT/data"
chmod 0755 "$WORK" "$ROOT"
cp "$BINARY" "$ROOT/neural-terminal"
chmod 0755 "$ROOT/neural-terminal"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$ROOT/etc/hosts"
cp "$CA_FILE" "$ROOT/etc/ssl/certs/ca-certificates.crt"
if [[ -n ${SMOKE_CA_APPEND:-} ]]; then
  cat "$SMOKE_CA_APPEND" >>"$ROOT/etc/ssl/certs/ca-certificates.crt"
fi
cat >"$ROOT/etc/neural-terminal.toml" <<TOML
# Written by scripts/chroot-smoke.sh
[server]
listen = "127.0.0.1:$WEB_PORT"

[metrics]
listen = "127.0.0.1:$METRICS_PORT"

[storage]
data_dir = "/data"
TOML
if [[ -n ${SMOKE_EXTRA_CONFIG:-} ]]; then
  printf '\n%s\n' "$SMOKE_EXTRA_CONFIG" >>"$ROOT/etc/neural-terminal.toml"
fi
mount -t proc proc "$ROOT/proc"

# A clean environment: no NEURAL_TERMINAL_* overrides or proxies leak in from the host. The API key is a
# dummy; nothing here talks to the upstream.
# An array, not a function: a backgrounded simple command is exec'd directly, so $! is the supervisor's PID
# (env and chroot exec in turn), not a subshell's.
read -r -a EXTRA_ENV <<<"${SMOKE_ENV:-}"
IN_CHROOT=(env -i PATH=/ HOME=/data TZ=UTC OPENROUTER_API_KEY=sk-or-smoke-test-dummy "${EXTRA_ENV[@]}"
  "$(command -v chroot)" "$ROOT" /neural-terminal)
probe() {  # probe URL -> prints the HTTP status (000 when there is no answer)
  curl --noproxy '*' -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true
}
now_ms() { local t=${EPOCHREALTIME//[!0-9]/}; echo $((10#$t / 1000)); }

version_out=$("${IN_CHROOT[@]}" version 2>&1) || die "'neural-terminal version' failed in the chroot: $version_out"
log "version: $(head -n 1 <<<"$version_out")"

# 4. Start, and wait for the endpoints.
log "starting: chroot $ROOT /neural-terminal run --config /etc/neural-terminal.toml (web :$WEB_PORT, metrics :$METRICS_PORT)"
start_ms=$(now_ms)
"${IN_CHROOT[@]}" run --config /etc/neural-terminal.toml >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

declare -A URLS=(
  [health]="http://127.0.0.1:$METRICS_PORT/health"
  [ready]="http://127.0.0.1:$METRICS_PORT/ready"
  [api-version]="http://127.0.0.1:$WEB_PORT/api/version"
)
declare -A CODES=()
deadline=$((start_ms + 10000))
while :; do
  kill -0 "$SERVER_PID" 2>/dev/null || { wait "$SERVER_PID" && rc=0 || rc=$?; SERVER_PID=""; die "the server exited early with status $rc"; }
  pending=0
  for name in "${!URLS[@]}"; do
    [[ ${CODES[$name]:-} == 200 ]] && continue
    CODES[$name]=$(probe "${URLS[$name]}")
    [[ ${CODES[$name]} == 200 ]] || pending=1
  done
  [[ $pending -eq 0 ]] && break
  if [[ $(now_ms) -ge $deadline ]]; then
    summary=""
    for name in "${!URLS[@]}"; do summary+=" $name=${CODES[$name]:-000}"; done
    die "endpoints not all 200 within 10 s:$summary"
  fi
  sleep 0.1
done
log "all endpoints 200 after $(($(now_ms) - start_ms)) ms: /health /ready (:$METRICS_PORT), /api/version (:$WEB_PORT)"
log "/api/version: $(curl --noproxy '*' -s --max-time 2 "${URLS[api-version]}" | head -c 200)"

# 5. The container HEALTHCHECK's subcommand, from inside the chroot.
if ! hc_out=$("${IN_CHROOT[@]}" healthcheck --url "${URLS[health]}" 2>&1); then
  die "'neural-terminal healthcheck --url ${URLS[health]}' failed in the chroot: $hc_out"
fi
log "healthcheck in the chroot: exit 0"

# 5b. A streamed chat through the static binary's libcurl (over HTTPS when the upstream is https).
if [[ -n ${SMOKE_CHAT_MODEL:-} ]]; then
  chat=$(curl --noproxy '*' -sN --max-time 20 -H 'Content-Type: application/json' \
    -d "{\"message\":\"smoke\",\"model\":\"$SMOKE_CHAT_MODEL\"}" "http://127.0.0.1:$WEB_PORT/api/chat") ||
    die "POST /api/chat failed"
  grep -q 'event: delta' <<<"$chat" || die "no delta event in the chat stream: ${chat:0:400}"
  grep -q '"status":"complete"' <<<"$chat" || die "the chat did not complete: ${chat: -400}"
  log "chat through the chroot's binary: $(grep -c 'event: delta' <<<"$chat") deltas, complete"
fi

# 6. SIGTERM: exit 0 within 15 s, no process left behind.
log "sending SIGTERM to $SERVER_PID"
kill -TERM "$SERVER_PID"
stop_ms=$(now_ms)
while kill -0 "$SERVER_PID" 2>/dev/null; do
  [[ $(($(now_ms) - stop_ms)) -lt 15000 ]] || die "still running 15 s after SIGTERM"
  sleep 0.1
done
wait "$SERVER_PID" && rc=0 || rc=$?
SERVER_PID=""
[[ $rc -eq 0 ]] || die "exit status $rc after SIGTERM (want 0)"
log "exited 0 after SIGTERM in $(($(now_ms) - stop_ms)) ms"
sleep 0.2
leftover=$(chroot_pids | tr '\n' ' ')
[[ -z $leftover ]] || die "processes left in the chroot after the supervisor exited: $leftover"

# 7. The healthcheck must fail when nothing answers.
if "${IN_CHROOT[@]}" healthcheck --url "${URLS[health]}" >/dev/null 2>&1; then
  die "'healthcheck' exited 0 with the server stopped"
fi
log "healthcheck with the server stopped: non-zero, as it should"

# 8. SHA-256 (libcrypto, linked statically): a backup's manifest checksum is the file's, and `backups` verifies it.
#    On PostgreSQL, `backup` refuses with a sentence (its backups are PostgreSQL's own).
if [[ ${SMOKE_POSTGRES:-} == 1 ]]; then
  if backup_out=$("${IN_CHROOT[@]}" backup --config /etc/neural-terminal.toml 2>&1); then
    die "'backup' succeeded on a PostgreSQL database: $backup_out"
  fi
  grep -q PostgreSQL <<<"$backup_out" || die "'backup' on PostgreSQL did not say why: $backup_out"
  log "backup on PostgreSQL: refused, as it should"
  log "PASS"
  exit 0
fi
backup_out=$("${IN_CHROOT[@]}" backup --config /etc/neural-terminal.toml 2>&1) || die "'backup' failed in the chroot: $backup_out"
backup_file=$(find "$ROOT/data/backups" -name '*.db.zst' | head -n 1)
[[ -n $backup_file ]] || die "'backup' wrote no file: $backup_out"
manifest_sha=$(sed -n 's/.*"sha256" : "\([0-9a-f]*\)".*/\1/p' "$backup_file.json")
[[ $manifest_sha == "$(sha256sum "$backup_file" | cut -d' ' -f1)" ]] ||
  die "the backup's manifest sha256 ($manifest_sha) is not sha256sum's"
listing=$("${IN_CHROOT[@]}" backups --config /etc/neural-terminal.toml 2>&1) || die "'backups' failed in the chroot: $listing"
grep -q ' ok$' <<<"$listing" || die "'backups' did not verify the backup: $listing"
log "backup in the chroot: sha256 ${manifest_sha:0:12}… agrees with sha256sum, verified ok"
log "PASS"
