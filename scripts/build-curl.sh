#!/usr/bin/env bash
# Build a minimal, static libcurl (HTTP and HTTPS only) from Debian's curl source into vendor/curl/:
#   vendor/curl/include/curl/*.h   vendor/curl/lib/libcurl.a   vendor/curl/COPYING   vendor/curl/BUILD-STAMP
# Why not Debian's libcurl.a: it needs GSSAPI, LDAP, SASL and GnuTLS, which ship no static libraries
# (docs/adr/0003-static-linking.md). Link the result with: -lcurl -lnghttp2 -lssl -lcrypto -lzstd -lz -lpthread.
#
# Cached: a no-op when vendor/curl/lib/libcurl.a exists and BUILD-STAMP records the same recipe key.
# The system's apt sources are never touched: a private deb-src list, lists and cache live in a temp dir.
#
# Usage: scripts/build-curl.sh [--force]
# Env:   DEBIAN_MIRROR           (default http://deb.debian.org/debian)
#        DEBIAN_SECURITY_MIRROR  (default http://deb.debian.org/debian-security)
#        DEBIAN_SUITE            (default: VERSION_CODENAME from /etc/os-release, else bookworm)
#        JOBS                    (default: nproc)
set -euo pipefail
SELF=$(realpath "${BASH_SOURCE[0]}")
cd "$(dirname "$SELF")/.."
ROOT=$PWD
PREFIX="$ROOT/vendor/curl"
STAMP="$PREFIX/BUILD-STAMP"

log() { printf 'build-curl: %s\n' "$*"; }
die() { printf 'build-curl: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/lib/debian-source.sh
source "$ROOT/scripts/lib/debian-source.sh"

debian_source_arguments '2,14p' "$@"

# Everything but HTTP(S) is off; no library that lacks a static archive on Debian is used.
CONFIGURE_FLAGS=(
  --disable-shared --enable-static --with-pic
  --disable-dependency-tracking --disable-maintainer-mode
  --with-openssl --with-nghttp2 --with-zlib --with-zstd
  --without-libpsl --without-libidn2 --without-librtmp --without-libssh2 --without-libssh
  --without-gssapi --without-brotli --without-libgsasl --without-hyper
  --without-ngtcp2 --without-nghttp3 --without-quiche --without-msh3
  --disable-ldap --disable-ldaps
  --enable-http --disable-ftp --disable-file --disable-rtsp --disable-dict --disable-telnet
  --disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp --disable-gopher
  --disable-mqtt --disable-websockets --disable-ntlm-wb
  --disable-manual --disable-libcurl-option
  --disable-openssl-auto-load-config
  --enable-threaded-resolver
  --with-ca-bundle=/etc/ssl/certs/ca-certificates.crt --without-ca-path
)
CURL_CFLAGS="-O2 -g0"
# Debian patches touching the build system are packaging-only and would need autotools; skip them.
SKIP_PATCH_RE='(^|/)(configure\.ac|Makefile\.am|[^/]*\.m4|ltmain\.sh|[^/]*\.in)$'
# Bump RECIPE_REVISION when this script changes the result in a way the flags above do not show.
RECIPE_REVISION=1
RECIPE="rev=$RECIPE_REVISION suite=$SUITE cflags=$CURL_CFLAGS skip=$SKIP_PATCH_RE flags=${CONFIGURE_FLAGS[*]}"
KEY=$(printf '%s' "$RECIPE" | sha256sum | cut -d' ' -f1)

if [[ $FORCE -eq 0 && -f "$PREFIX/lib/libcurl.a" && -f "$STAMP" ]] && grep -qx "key=$KEY" "$STAMP"; then
  log "up to date: $PREFIX ($(sed -n 's/^curl_version=//p' "$STAMP"))"
  exit 0
fi

# ---- prerequisites ---------------------------------------------------------------------------
missing=()
for tool in apt-get dpkg-source patch make cc ar pkg-config sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
for header in openssl/ssl.h nghttp2/nghttp2.h zstd.h zlib.h; do
  printf '#include <%s>\n' "$header" | cc -E -x c - >/dev/null 2>&1 || missing+=("<$header>")
done
[[ ${#missing[@]} -eq 0 ]] || die "missing: ${missing[*]} (run scripts/install-deps.sh)"

START=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/build-curl.XXXXXX")
cleanup() { rm -rf "$WORK" "$PREFIX.new"; }
trap cleanup EXIT
chmod 0755 "$WORK"

# ---- fetch Debian's source package with a private apt configuration ---------------------------
mkdir -p "$WORK/src"
log "fetching the curl source package index ($SUITE, $SUITE-updates, $SUITE-security)"
debian_apt_setup "$WORK/apt"
(cd "$WORK/src" && apt-get "${APT_OPTS[@]}" -q source --download-only curl) | sed 's/^/  /'
DSC=$(find "$WORK/src" -maxdepth 1 -name 'curl_*.dsc' | head -n 1)
[[ -n $DSC ]] || die "apt-get source did not download a curl .dsc"
DEB_VERSION=$(sed -n 's/^Version: //p' "$DSC")
log "extracting curl $DEB_VERSION (without patches)"
# apt already checked the .dsc against the signed Sources index; dpkg-source's gpgv then only complains that
# it lacks the uploader's key, so its output is kept in a log and shown on failure.
if ! dpkg-source --skip-patches -x "$DSC" "$WORK/curl" >"$WORK/dpkg-source.log" 2>&1; then
  cat "$WORK/dpkg-source.log" >&2
  die "dpkg-source could not unpack $DSC"
fi
SRC="$WORK/curl"

# ---- apply Debian's patches that do not touch the build system --------------------------------
debian_apply_patches "$SRC" "$SKIP_PATCH_RE"
log "applied ${#PATCHES_APPLIED[@]} Debian patches; skipped ${#PATCHES_SKIPPED[@]} build-system ones: ${PATCHES_SKIPPED[*]:-none}"

# ---- configure and build lib/ and include/ only ----------------------------------------------
log "configuring"
if ! (cd "$SRC" && CFLAGS="$CURL_CFLAGS" ./configure --prefix="$WORK/prefix" "${CONFIGURE_FLAGS[@]}") >"$WORK/configure.log" 2>&1; then
  tail -n 40 "$WORK/configure.log" >&2
  die "configure failed"
fi
sed -n '/Configured to build curl\/libcurl:/,$p' "$WORK/configure.log" | sed 's/^/  /'
log "building lib/ with $JOBS jobs"
if ! make -C "$SRC/lib" -j"$JOBS" V=0 >"$WORK/make.log" 2>&1; then
  tail -n 40 "$WORK/make.log" >&2
  die "make -C lib failed"
fi
make -C "$SRC/lib" install >>"$WORK/make.log" 2>&1
make -C "$SRC/include" install >>"$WORK/make.log" 2>&1

# ---- verify: the right curl, statically linkable, HTTP(S) only ---------------------------------
mkdir -p "$PREFIX.new/lib" "$PREFIX.new/include"
cp "$WORK/prefix/lib/libcurl.a" "$PREFIX.new/lib/"
cp -R "$WORK/prefix/include/curl" "$PREFIX.new/include/"
cp "$SRC/COPYING" "$PREFIX.new/COPYING"

cat >"$WORK/t.c" <<'C'
#include <curl/curl.h>
#include <stdio.h>
int main(void) {
    curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    printf("curl_version=%s\nprotocols=", curl_version());
    for (const char *const *p = info->protocols; *p; p++) printf("%s%s", p == info->protocols ? "" : " ", *p);
    printf("\n");
    return 0;
}
C
if ! cc -static -o "$WORK/t" "$WORK/t.c" -I"$PREFIX.new/include" -L"$PREFIX.new/lib" \
    -lcurl -lnghttp2 -lssl -lcrypto -lzstd -lz -lpthread >"$WORK/link.log" 2>&1; then
  cat "$WORK/link.log" >&2
  die "a static test program does not link against the new libcurl.a"
fi
INFO=$("$WORK/t")
CURL_VERSION=$(sed -n 's/^curl_version=//p' <<<"$INFO")
PROTOCOLS=$(sed -n 's/^protocols=//p' <<<"$INFO")
[[ $PROTOCOLS == "http https" ]] || die "unexpected protocols '$PROTOCOLS' (want 'http https')"
for feature in OpenSSL nghttp2 zstd zlib; do
  [[ $CURL_VERSION == *"$feature"* ]] || die "curl_version '$CURL_VERSION' lacks $feature"
done
for unwanted in GnuTLS libidn2 libpsl librtmp libssh brotli OpenLDAP; do
  [[ $CURL_VERSION != *"$unwanted"* ]] || die "curl_version '$CURL_VERSION' has $unwanted"
done

{
  printf 'key=%s\n' "$KEY"
  printf 'source=curl %s (Debian %s)\n' "$DEB_VERSION" "$SUITE"
  printf 'curl_version=%s\n' "$CURL_VERSION"
  printf 'protocols=%s\n' "$PROTOCOLS"
  printf 'patches_applied=%s\n' "${PATCHES_APPLIED[*]:-}"
  printf 'patches_skipped=%s\n' "${PATCHES_SKIPPED[*]:-}"
  printf 'recipe=%s\n' "$RECIPE"
  printf 'link=-lcurl -lnghttp2 -lssl -lcrypto -lzstd -lz -lpthread\n'
} >"$PREFIX.new/BUILD-STAMP"

rm -rf "$PREFIX"
mkdir -p "$(dirname "$PREFIX")"
mv "$PREFIX.new" "$PREFIX"
log "built $PREFIX/lib/libcurl.a in $((SECONDS - START)) s: $CURL_VERSION (protocols: $PROTOCOLS)"
