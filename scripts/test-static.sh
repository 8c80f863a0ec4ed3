#!/usr/bin/env bash
# The static binary in an empty chroot, streaming a chat over HTTPS from the fake upstream (behind stunnel, its
# self-signed CA appended to the chroot's bundle), on SQLite and then on a throwaway PostgreSQL 15 (its libpq,
# linked statically, logging in with SCRAM), then the container config check and the Dockerfile lint.
# Usage: scripts/test-static.sh STATIC_BINARY FAKE_UPSTREAM_BINARY
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: scripts/test-static.sh STATIC_BINARY FAKE_UPSTREAM_BINARY}
fake=${2:?usage: scripts/test-static.sh STATIC_BINARY FAKE_UPSTREAM_BINARY}
work=$(mktemp -d)
pids=()
pg_ctl() { local run=(); [[ $(id -u) -eq 0 ]] && run=(runuser -u postgres --); "${run[@]}" /usr/lib/postgresql/15/bin/pg_ctl "$@"; }
cleanup() {
  [[ -f $work/pg/data/postmaster.pid ]] && pg_ctl -D "$work/pg/data" -m immediate -w stop >/dev/null 2>&1
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

# The same on PostgreSQL: a throwaway cluster on a loopback port (as the postgres user when root) that accepts
# only TLS logins (hostssl), with a self-signed certificate the chroot's CA bundle trusts: sslmode=verify-full.
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/pg"
printf 'smoke-password\n' >"$work/pg/pw"
[[ $(id -u) -eq 0 ]] && chown -R postgres:postgres "$work/pg" && chmod 0755 "$work"
initdb=(/usr/lib/postgresql/15/bin/initdb -D "$work/pg/data" -U nt_smoke --pwfile "$work/pg/pw" -A scram-sha-256 -E UTF8 --locale C)
if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "${initdb[@]}" >/dev/null; else "${initdb[@]}" >/dev/null; fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/pg/key.pem" -out "$work/pg/cert.pem" 2>/dev/null
chmod 0600 "$work/pg/key.pem"
[[ $(id -u) -eq 0 ]] && chown postgres:postgres "$work/pg/key.pem" "$work/pg/cert.pem"
sed -i 's/^host /hostssl /' "$work/pg/data/pg_hba.conf"
pg_ctl -D "$work/pg/data" -l "$work/pg/log" -w start \
  -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file=$work/pg/cert.pem -c ssl_key_file=$work/pg/key.pem" >/dev/null
cat "$ca_file" "$work/pg/cert.pem" >"$work/cas.pem"
SMOKE_EXTRA_CONFIG="[upstream]
base_url = \"https://127.0.0.1:$tls_port/api/v1\"" \
SMOKE_ENV="NEURAL_TERMINAL_STORAGE_URL=postgres://nt_smoke@127.0.0.1:$pg_port/postgres?sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca-certificates.crt NEURAL_TERMINAL_DATABASE_PASSWORD=smoke-password" \
SMOKE_POSTGRES=1 SMOKE_CA_APPEND="$work/cas.pem" SMOKE_CHAT_MODEL="fake/lorem" scripts/chroot-smoke.sh "$bin"

"$bin" check-config --config etc/neural-terminal.container.toml
.venv/bin/hadolint Dockerfile.static
echo "test-static: PASS"
