# shellcheck shell=bash
# What scripts/build-curl.sh and scripts/build-libpq.sh share: fetching a Debian source package through a private
# apt configuration (the system's apt sources are never touched) and applying Debian's patches that leave the build
# system alone. Sourced, not run; the caller defines SELF, log() and die().

# debian_source_arguments HELP_LINES ARGS...: reads the build scripts' one option (--force, or --help printing the
# caller's header lines HELP_LINES, a sed range) into FORCE, and their environment into SUITE, MIRROR,
# SECURITY_MIRROR and JOBS.
# shellcheck disable=SC2034  # the variables it sets are the caller's
debian_source_arguments() {
  local help_lines=$1
  shift
  FORCE=0
  case "${1:-}" in
    "") ;;
    --force) FORCE=1 ;;
    -h|--help) sed -n "$help_lines" "$SELF" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
  SUITE="${DEBIAN_SUITE:-}"
  if [[ -z $SUITE && -r /etc/os-release ]]; then
    SUITE=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"')
  fi
  SUITE="${SUITE:-bookworm}"
  MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
  SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
  JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
}

# debian_apt_setup DIR: a private deb-src list for $SUITE, $SUITE-updates and $SUITE-security, with its lists and
# cache under DIR; sets the array APT_OPTS for apt-get and apt-cache, and fetches the index.
debian_apt_setup() {
  local dir=$1
  mkdir -p "$dir/parts" "$dir/lists/partial" "$dir/cache/archives/partial"
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [[ -r $keyring ]] || die "$keyring not found (package debian-archive-keyring)"
  {
    printf 'deb-src [signed-by=%s] %s %s main\n' "$keyring" "$MIRROR" "$SUITE"
    printf 'deb-src [signed-by=%s] %s %s-updates main\n' "$keyring" "$MIRROR" "$SUITE"
    printf 'deb-src [signed-by=%s] %s %s-security main\n' "$keyring" "$SECURITY_MIRROR" "$SUITE"
  } >"$dir/sources.list"
  APT_OPTS=(
    -o "Dir::Etc::SourceList=$dir/sources.list"
    -o "Dir::Etc::SourceParts=$dir/parts"
    -o "Dir::State::Lists=$dir/lists"
    -o "Dir::Cache=$dir/cache"
    -o "APT::Sandbox::User=root"
    -o "Acquire::Languages=none"
  )
  apt-get "${APT_OPTS[@]}" -qq update
}

# debian_apply_patches SRC SKIP_RE: applies debian/patches/series in order, except patches touching a file whose
# path matches SKIP_RE (packaging-only build-system changes that would need autotools); sets the arrays
# PATCHES_APPLIED and PATCHES_SKIPPED. A patch outside SKIP_RE that does not apply is an error.
debian_apply_patches() {
  local src=$1 skip_re=$2 patch_name patch_file
  PATCHES_APPLIED=()
  PATCHES_SKIPPED=()
  [[ -f "$src/debian/patches/series" ]] || return 0
  while read -r patch_name _; do
    [[ -z $patch_name || $patch_name == \#* ]] && continue
    patch_file="$src/debian/patches/$patch_name"
    [[ -f $patch_file ]] || die "series lists $patch_name but it is missing"
    if awk '/^\+\+\+ /{ f = $2; sub(/^[^\/]*\//, "", f); print f }' "$patch_file" | grep -Eq "$skip_re"; then
      PATCHES_SKIPPED+=("$patch_name")
      continue
    fi
    if ! patch -d "$src" -p1 --batch --forward --silent --dry-run <"$patch_file" >/dev/null; then
      die "Debian patch $patch_name does not apply on its own; review the skip pattern ($skip_re)"
    fi
    patch -d "$src" -p1 --batch --forward --silent <"$patch_file" >/dev/null
    PATCHES_APPLIED+=("$patch_name")
  done <"$src/debian/patches/series"
}
