#!/usr/bin/env bash
# Put TLS in front of a running fake-openrouter, so that the appliance's HTTPS path (libcurl, CA file,
# certificate checks) can be tested against it without swift-nio-ssl in every CI build.
#
# Generates a throw-away self-signed certificate for 127.0.0.1 and localhost, then runs stunnel (Debian's
# stunnel4) attached to this shell, terminating TLS on a free port and forwarding plain HTTP to the fake.
# Once stunnel listens, prints one JSON line on stdout:
#   {"listening_tls":"127.0.0.1:PORT","ca_file":"/tmp/fake-openrouter-tls.XXXXXX/cert.pem"}
# Point the client at https://127.0.0.1:PORT/api/v1 and trust ca_file (curl --cacert FILE).
# Runs until SIGTERM/SIGINT, or until stunnel dies; the temporary directory is removed on exit.
#
# Usage: scripts/fake-openrouter-tls.sh PORT_HTTP [PORT_TLS]   (PORT_TLS defaults to 0: any free port)
set -euo pipefail

die() { printf 'fake-openrouter-tls: error: %s\n' "$*" >&2; exit 1; }
is_port() { [[ $1 =~ ^[0-9]+$ ]] && ((10#$1 <= 65535)); }

[[ $# -ge 1 && $# -le 2 ]] || die "usage: $0 PORT_HTTP [PORT_TLS]"
http_port=$1
tls_port=${2:-0}
if ! is_port "$http_port" || ((10#$http_port == 0)); then die "PORT_HTTP must be 1-65535, got '$http_port'"; fi
is_port "$tls_port" || die "PORT_TLS must be 0-65535, got '$tls_port'"
command -v openssl >/dev/null 2>&1 || die "openssl not found (apt-get install openssl)"
STUNNEL=$(command -v stunnel4 || command -v stunnel) || die "stunnel not found (apt-get install stunnel4)"

dir=$(mktemp -d "${TMPDIR:-/tmp}/fake-openrouter-tls.XXXXXX")
stunnel_pid=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if [[ -n $stunnel_pid ]]; then kill "$stunnel_pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# A P-256 key is generated in milliseconds; the certificate is its own CA, valid for two days.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>"$dir/openssl.log" ||
  die "openssl could not make a certificate: $(cat "$dir/openssl.log")"

# debug = info makes stunnel log the port it bound ("bound to 127.0.0.1:PORT"), which is how a requested
# port of 0 is learnt without a race. The log goes to a file, read below, and is shown if stunnel fails.
cat >"$dir/stunnel.conf" <<EOF
foreground = yes
pid =
debug = info
output = $dir/stunnel.log

[fake-openrouter]
accept = 127.0.0.1:$tls_port
connect = 127.0.0.1:$http_port
cert = $dir/cert.pem
key = $dir/key.pem
EOF

"$STUNNEL" "$dir/stunnel.conf" 2>/dev/null &
stunnel_pid=$!

bound=""
for _ in $(seq 1 100); do
  bound=$(sed -n 's/.*Service \[fake-openrouter\] .*bound to \(127\.0\.0\.1:[0-9][0-9]*\).*/\1/p' \
    "$dir/stunnel.log" 2>/dev/null | head -n 1 || true)
  [[ -n $bound ]] && break
  kill -0 "$stunnel_pid" 2>/dev/null || break
  sleep 0.05
done
if [[ -z $bound ]]; then
  cat "$dir/stunnel.log" >&2 2>/dev/null || true
  die "stunnel did not start listening"
fi

printf '{"listening_tls":"%s","ca_file":"%s"}\n' "$bound" "$dir/cert.pem"

# Wait for stunnel; a trapped signal interrupts the wait and the EXIT trap stops stunnel.
set +e
wait "$stunnel_pid"
status=$?
stunnel_pid=""
if ((status != 0)); then
  tail -n 20 "$dir/stunnel.log" >&2 2>/dev/null
  printf 'fake-openrouter-tls: stunnel exited with status %d\n' "$status" >&2
fi
exit "$status"
