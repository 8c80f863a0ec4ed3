#!/usr/bin/env bash
# Build a minimal, static libpq (PostgreSQL's client library) from Debian's postgresql-15 source into vendor/libpq/:
#   vendor/libpq/include/{libpq-fe.h,postgres_ext.h,pg_config_ext.h}
#   vendor/libpq/lib/{libpq.a,libpgcommon_shlib.a,libpgport_shlib.a}   vendor/libpq/COPYRIGHT   vendor/libpq/BUILD-STAMP
# Why not Debian's libpq.a: it needs GSSAPI and LDAP, which ship no static libraries (docs/adr/0019-postgresql-client.md).
# Link the result with: -lpq -lpgcommon_shlib -lpgport_shlib -lssl -lcrypto (before libcurl's ssl/crypto; see
# Package.swift's CCurl, which holds the one ordered list of the vendored C libraries).
#
# Cached: a no-op when vendor/libpq/lib/libpq.a exists and BUILD-STAMP records the same recipe key.
# The system's apt sources are never touched: a private deb-src list, lists and cache live in a temp dir. The newest
# version the index names is tried first; when its files are not served (a security index may list a version whose
# files answer 404), older versions the index lists are tried in turn.
#
# Usage: scripts/build-libpq.sh [--force]
# Env:   DEBIAN_MIRROR           (default http://deb.debian.org/debian)
#        DEBIAN_SECURITY_MIRROR  (default http://deb.debian.org/debian-security)
#        DEBIAN_SUITE            (default: VERSION_CODENAME from /etc/os-release, else bookworm)
#        PG_DEB_VERSION          (a Debian version of postgresql-15 to build instead of the newest served one)
#        JOBS                    (default: nproc)
set -euo pipefail
SELF=$(realpath "${BASH_SOURCE[0]}")
cd "$(dirname "$SELF")/.."
ROOT=$PWD
PREFIX="$ROOT/vendor/libpq"
STAMP="$PREFIX/BUILD-STAMP"

log() { printf 'build-libpq: %s\n' "$*"; }
die() { printf 'build-libpq: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/lib/debian-source.sh
source "$ROOT/scripts/lib/debian-source.sh"

debian_source_arguments '2,19p' "$@"

# Only what a client needs: no Kerberos, LDAP, ICU, readline or zlib (libpq 15 references none of them).
CONFIGURE_FLAGS=(--without-gssapi --without-ldap --without-icu --without-readline --without-zlib --with-openssl)
PQ_CFLAGS="-O2 -g0 -fPIC"
# Debian patches touching the build system are packaging-only and would need autotools; skip them.
SKIP_PATCH_RE='(^|/)(configure\.ac|configure\.in|configure|Makefile\.am|[^/]*\.m4|ltmain\.sh|[^/]*\.in|Makefile|GNUmakefile)$'
# Bump RECIPE_REVISION when this script changes the result in a way the flags above do not show.
RECIPE_REVISION=2
RECIPE="rev=$RECIPE_REVISION suite=$SUITE cflags=$PQ_CFLAGS skip=$SKIP_PATCH_RE flags=${CONFIGURE_FLAGS[*]} pin=${PG_DEB_VERSION:-}"
KEY=$(printf '%s' "$RECIPE" | sha256sum | cut -d' ' -f1)

if [[ $FORCE -eq 0 && -f "$PREFIX/lib/libpq.a" && -f "$STAMP" ]] && grep -qx "key=$KEY" "$STAMP"; then
  log "up to date: $PREFIX ($(sed -n 's/^source=//p' "$STAMP"))"
  exit 0
fi

# ---- prerequisites ---------------------------------------------------------------------------
missing=()
for tool in apt-get apt-cache dpkg-source patch make cc ar sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
printf '#include <openssl/ssl.h>\n' | cc -E -x c - >/dev/null 2>&1 || missing+=("<openssl/ssl.h>")
[[ ${#missing[@]} -eq 0 ]] || die "missing: ${missing[*]} (run scripts/install-deps.sh)"

START=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/build-libpq.XXXXXX")
cleanup() { rm -rf "$WORK" "$PREFIX.new"; }
trap cleanup EXIT
chmod 0755 "$WORK"

# ---- fetch Debian's source package with a private apt configuration ---------------------------
mkdir -p "$WORK/src"
log "fetching the postgresql-15 source package index ($SUITE, $SUITE-updates, $SUITE-security)"
debian_apt_setup "$WORK/apt"
if [[ -n ${PG_DEB_VERSION:-} ]]; then
  CANDIDATES=("$PG_DEB_VERSION")
else
  mapfile -t CANDIDATES < <(apt-cache "${APT_OPTS[@]}" showsrc postgresql-15 | sed -n 's/^Version: //p' |
    sort -u | sort -rV)
fi
[[ ${#CANDIDATES[@]} -gt 0 ]] || die "the index names no postgresql-15 source package"
DSC=""
for version in "${CANDIDATES[@]}"; do
  rm -f "$WORK/src"/*
  if (cd "$WORK/src" && apt-get "${APT_OPTS[@]}" -q source --download-only "postgresql-15=$version") >"$WORK/fetch.log" 2>&1; then
    DSC=$(find "$WORK/src" -maxdepth 1 -name 'postgresql-15_*.dsc' | head -n 1)
    [[ -n $DSC ]] && break
  fi
  log "postgresql-15 $version is listed but not served ($(grep -m1 -o '[0-9]\{3\} [A-Za-z ]*$' "$WORK/fetch.log" || echo 'download failed')); trying the next"
done
[[ -n $DSC ]] || { cat "$WORK/fetch.log" >&2; die "no listed postgresql-15 version could be downloaded (${CANDIDATES[*]})"; }
DEB_VERSION=$(sed -n 's/^Version: //p' "$DSC")
log "extracting postgresql-15 $DEB_VERSION (without patches)"
if ! dpkg-source --skip-patches -x "$DSC" "$WORK/pg" >"$WORK/dpkg-source.log" 2>&1; then
  cat "$WORK/dpkg-source.log" >&2
  die "dpkg-source could not unpack $DSC"
fi
SRC="$WORK/pg"

# ---- apply Debian's patches that do not touch the build system --------------------------------
debian_apply_patches "$SRC" "$SKIP_PATCH_RE"
log "applied ${#PATCHES_APPLIED[@]} Debian patches; skipped ${#PATCHES_SKIPPED[@]} build-system ones: ${PATCHES_SKIPPED[*]:-none}"

# ---- configure and build what libpq needs ------------------------------------------------------
log "configuring"
if ! (cd "$SRC" && CFLAGS="$PQ_CFLAGS" ./configure --prefix="$WORK/prefix" "${CONFIGURE_FLAGS[@]}") >"$WORK/configure.log" 2>&1; then
  tail -n 40 "$WORK/configure.log" >&2
  die "configure failed"
fi
# The generated headers (utils/errcodes.h and others) first, on their own: building src/common with several jobs
# could otherwise compile a file that includes one before the rule that makes it has run.
log "generating the backend's headers"
if ! make -C "$SRC/src/backend" generated-headers >>"$WORK/make.log" 2>&1; then
  tail -n 40 "$WORK/make.log" >&2
  die "make -C src/backend generated-headers failed"
fi
for dir in src/include src/common src/port src/interfaces/libpq; do
  log "building $dir with $JOBS jobs"
  if ! make -C "$SRC/$dir" -j"$JOBS" >>"$WORK/make.log" 2>&1; then
    tail -n 40 "$WORK/make.log" >&2
    die "make -C $dir failed"
  fi
done

mkdir -p "$PREFIX.new/lib" "$PREFIX.new/include"
cp "$SRC/src/interfaces/libpq/libpq.a" "$SRC/src/common/libpgcommon_shlib.a" "$SRC/src/port/libpgport_shlib.a" "$PREFIX.new/lib/"
cp "$SRC/src/interfaces/libpq/libpq-fe.h" "$SRC/src/include/postgres_ext.h" "$SRC/src/include/pg_config_ext.h" "$PREFIX.new/include/"
cp "$SRC/COPYRIGHT" "$PREFIX.new/COPYRIGHT"

# ---- verify: statically linkable, and nothing but OpenSSL and libc left unresolved --------------
UNWANTED=$(nm -u "$PREFIX.new/lib/"*.a 2>/dev/null | grep -E ' (gss_|ldap_|krb5_|u_|ucol_|readline|deflate|inflate)' | sort -u || true)
[[ -z $UNWANTED ]] || die "the archives reference libraries that must stay out: $(echo "$UNWANTED" | tr '\n' ' ')"
cat >"$WORK/t.c" <<'C'
#include <libpq-fe.h>
#include <stdio.h>
int main(void) { printf("libpq_version=%d\nthreadsafe=%d\n", PQlibVersion(), PQisthreadsafe()); return 0; }
C
if ! cc -static -o "$WORK/t" "$WORK/t.c" -I"$PREFIX.new/include" -L"$PREFIX.new/lib" \
    -lpq -lpgcommon_shlib -lpgport_shlib -lssl -lcrypto -lpthread >"$WORK/link.log" 2>&1; then
  cat "$WORK/link.log" >&2
  die "a static test program does not link against the new libpq.a"
fi
INFO=$("$WORK/t")
PQ_VERSION=$(sed -n 's/^libpq_version=//p' <<<"$INFO")
[[ $(sed -n 's/^threadsafe=//p' <<<"$INFO") == 1 ]] || die "libpq was built without thread safety"

{
  printf 'key=%s\n' "$KEY"
  printf 'source=postgresql-15 %s (Debian %s)\n' "$DEB_VERSION" "$SUITE"
  printf 'libpq_version=%s\n' "$PQ_VERSION"
  printf 'patches_applied=%s\n' "${PATCHES_APPLIED[*]:-}"
  printf 'patches_skipped=%s\n' "${PATCHES_SKIPPED[*]:-}"
  printf 'recipe=%s\n' "$RECIPE"
  printf 'link=-lpq -lpgcommon_shlib -lpgport_shlib -lssl -lcrypto -lpthread\n'
} >"$PREFIX.new/BUILD-STAMP"

rm -rf "$PREFIX"
mkdir -p "$(dirname "$PREFIX")"
mv "$PREFIX.new" "$PREFIX"
log "built $PREFIX/lib/libpq.a in $((SECONDS - START)) s: postgresql-15 $DEB_VERSION (PQlibVersion $PQ_VERSION)"
