#!/usr/bin/env bash
# Provision everything the end-to-end tests need into E2E_HOME (default
# <repo>/.e2e), using nothing but Debian's archive:
#   1 host      host packages (clang-14, lld-14, wasi-libc, debootstrap, ...)
#   2 sources   pristine CPython 3.11 / 3.13 sources (upstream .orig tarballs)
#   3 wasisdk   a WASI-SDK-16-shaped archive made from bookworm's clang-14
#   4 trixie    a trixie root with Emscripten 3.1.69, clang-19 and a
#               WASI-SDK-24-shaped archive
#   5 emports   Emscripten port seeds (zlib, bzip2) so no port is downloaded
#   6 env       $E2E_HOME/env.sh
#
#   provision-e2e.sh [PHASE...]     (default: all phases, in order)
#
# Runs as root, without stdin. Phases 2-5 leave a stamp in $E2E_HOME/stamps
# (the trixie root also gets $E2E_HOME/trixie/.provisioned), so a second run
# only checks (seconds); delete a stamp to redo that phase. Phase 1 asks dpkg
# what is missing instead, phase 6 always rewrites env.sh. Env overrides:
# E2E_HOME, E2E_DEBIAN_MIRROR.
set -euo pipefail

# The WASI SDK versions the archives pretend to be: 16 is the LLVM 14 era
# that CPython 3.11 pins; 24 stands for the trixie root's clang-19.
WASI_SDK_HOST_VERSION=16
WASI_SDK_TRIXIE_VERSION=24
HOST_LLVM=14
TRIXIE_LLVM=19

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)
E2E_HOME=${E2E_HOME:-$REPO_DIR/.e2e}
mkdir -p "$E2E_HOME"
E2E_HOME=$(cd "$E2E_HOME" && pwd)
STAMPS=$E2E_HOME/stamps
APT_DIR=$E2E_HOME/apt
DOWNLOADS=$E2E_HOME/downloads
SRC=$E2E_HOME/src
BUILD=$E2E_HOME/build
TRIXIE=$E2E_HOME/trixie
EMPORTS=$E2E_HOME/emports
MIRROR_HOST=$E2E_HOME/mirror/wasi-sdk
MIRROR_TRIXIE_GUEST=/opt/mirror/wasi-sdk
CHROOT_RUN=$SCRIPT_DIR/chroot-run.sh
# The programs this script compiles, runs or installs.
FILES=$SCRIPT_DIR/files

export DEBIAN_FRONTEND=noninteractive
APT_GET=(apt-get -y -q -o Dpkg::Use-Pty=0)

say() { echo "==> $*"; }
die() {
  echo "provision-e2e: $*" >&2
  exit 1
}
stamp_ok() { [[ -f $STAMPS/$1 ]]; }
stamp() { mkdir -p "$STAMPS" && date -u +%FT%TZ >"$STAMPS/$1"; }

[[ $EUID -eq 0 ]] || die "must run as root (apt-get, debootstrap, chroot)"

# The Debian mirror this machine already uses (first non-security URI).
detect_mirror() {
  local f=/etc/apt/sources.list.d/debian.sources uri=
  if [[ -r $f ]]; then
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /-security/) { print $i; exit } }' "$f")
  fi
  uri=${uri:-http://deb.debian.org/debian}
  echo "${uri%/}"
}
MIRROR=${E2E_DEBIAN_MIRROR:-$(detect_mirror)}

# Mounts in the trixie root: chroot-run.sh makes its own (in a private mount
# namespace where it can) and always removes them. The only other source is
# debootstrap, which mounts /proc and /sys in the new root and unmounts them
# itself; should it die, we unmount them before anything can rm -rf the root.
# (Only while bootstrapping: other jobs may be using an existing root.)
mounts_under() { awk -v r="$1" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts; }
BOOTSTRAPPING=
cleanup_mounts() {
  [[ -n $BOOTSTRAPPING ]] || return 0
  local mp
  while read -r mp; do
    [[ -n $mp ]] || continue
    umount "$mp" 2>/dev/null || umount -l "$mp" || true
  done < <(mounts_under "$TRIXIE" | sort -r)
}
trap cleanup_mounts EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

in_trixie() { "$CHROOT_RUN" "$TRIXIE" "$@"; }

# pack_sdk STAGING_PARENT TOPDIR OUT.tar.gz: reproducible tarball + .sha256
# holding only the hex digest.
pack_sdk() {
  local parent=$1 top=$2 out=$3
  mkdir -p "$(dirname "$out")"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
    -C "$parent" -cf - "$top" | gzip -n -9 >"$out.tmp"
  mv "$out.tmp" "$out"
  sha256sum "$out" | cut -d' ' -f1 >"$out.sha256"
}

# write_sdk_layout DIR LLVM_VERSION INCLUDE_DIR LIB_DIR VERSION_TEXT [ROOT]
# A WASI SDK's bin/clang targets wasm32-wasi with its own sysroot by default;
# Debian's clang needs both spelled out, hence small wrapper scripts, and the
# other tools are wrappers too: the action refuses an archive with a link that
# leads outside it (as a real SDK has none). The sysroot is a copy of Debian's
# wasi-libc, taken from ROOT (a Debian root on this machine; / by default).
write_sdk_layout() {
  local dir=$1 v=$2 inc=$3 lib=$4 version_text=$5 root=${6:-} tool
  rm -rf "$dir"
  mkdir -p "$dir/bin" "$dir/share/wasi-sysroot/lib"
  for tool in clang clang++ clang-cpp; do
    # clang-cpp keeps its name so the driver runs in preprocessor mode (-E to
    # stdout), which is how configure uses $CPP. The template's @TOOL@ and
    # @LLVM@ are the tool's name and the LLVM version.
    sed -e "s/@TOOL@/$tool/g" -e "s/@LLVM@/$v/g" "$FILES/wasi-sdk-clang.sh" >"$dir/bin/$tool"
    chmod 755 "$dir/bin/$tool"
  done
  # name-in-the-SDK:Debian's-binary
  for tool in "clang-$v:clang-$v" "wasm-ld:wasm-ld-$v" "lld:lld-$v" "ld.lld:ld.lld-$v"     "ar:llvm-ar-$v" "ranlib:llvm-ranlib-$v" "strip:llvm-strip-$v"; do
    write_exec_wrapper "$dir/bin/${tool%%:*}" "/usr/bin/${tool#*:}"
  done
  for tool in llvm-ar llvm-nm llvm-ranlib llvm-strip llvm-objcopy llvm-objdump \
    llvm-size llvm-strings llvm-dwarfdump llvm-cxxfilt llvm-symbolizer llvm-mc; do
    write_exec_wrapper "$dir/bin/$tool" "/usr/bin/$tool-$v"
  done
  cp -rL "$root$inc" "$dir/share/wasi-sysroot/include"
  cp -rL "$root$lib" "$dir/share/wasi-sysroot/lib/wasm32-wasi"
  printf '%s\n' "$version_text" >"$dir/VERSION"
}

# write_exec_wrapper FILE PROGRAM: a script that runs PROGRAM with its arguments.
write_exec_wrapper() {
  printf '#!/bin/sh\nexec %s "$@"\n' "$2" >"$1"
  chmod 755 "$1"
}

# files/hello.c exercises what a WASI runner must get right: argv, env,
# a preopened directory and the exit code.
write_hello() { cp "$FILES/hello.c" "$1"; }
HELLO_EXPECTED='hello wasi argc=2 arg1=one read=payload'

# check_hello OUTPUT RC: the hello program's output and exit code as expected.
check_hello() {
  [[ $1 == "$HELLO_EXPECTED" && $2 -eq 3 ]] ||
    die "hello.wasm check failed (rc=$2, output: $1)"
}

# ---------------------------------------------------------------- phase 1
# `npm run lint`, run after this phase in scripts/test-all.sh, needs shellcheck.
HOST_PACKAGES=(
  "clang-$HOST_LLVM" "lld-$HOST_LLVM" "llvm-$HOST_LLVM" wasi-libc
  "libclang-rt-$HOST_LLVM-dev-wasm32" debootstrap xz-utils git make gcc
  ca-certificates chromium ccache shellcheck
)
phase_host() {
  local missing=() p
  for p in "${HOST_PACKAGES[@]}"; do
    dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed ||
      missing+=("$p")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    say "host packages already installed"
  else
    say "installing host packages: ${missing[*]}"
    "${APT_GET[@]}" update
    "${APT_GET[@]}" install --no-install-recommends "${missing[@]}"
  fi
  command -v node >/dev/null || die "node (20+) is required on PATH for the WASI checks"
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [[ $major -ge 20 ]] || die "node $major found; node:wasi preview1 needs Node 20+"
}

# ---------------------------------------------------------------- phase 2
# apt with a private sources list, lists and cache: the machine's own apt
# configuration and state stay untouched.
apt_private() {
  apt-get -q -o Dir::Etc::sourcelist="$APT_DIR/sources.list" \
    -o Dir::Etc::sourceparts=- \
    -o Dir::State::Lists="$APT_DIR/lists" \
    -o Dir::Cache="$APT_DIR/cache" \
    -o Dir::Cache::archives="$APT_DIR/cache/archives" \
    -o APT::Sandbox::User=root "$@"
}

# orig_tarball SRCPKG: the upstream tarball apt-get source fetched.
orig_tarball() {
  local f
  for f in "$DOWNLOADS/$1"_*.orig.tar.{gz,xz,bz2}; do
    [[ -f $f ]] && { echo "$f"; return 0; }
  done
  return 1
}

# extract_cpython SRCPKG MINOR: unpack the pristine upstream tree to
# src/cpython-X.Y.Z (named after Include/patchlevel.h) + cpython-X.Y symlink.
extract_cpython() {
  local pkg=$1 minor=$2 tarball tmp top version
  tarball=$(orig_tarball "$pkg") || die "no .orig tarball for $pkg in $DOWNLOADS"
  tmp=$(mktemp -d "$SRC/.extract.XXXXXX")
  tar --no-same-owner -xf "$tarball" -C "$tmp"
  top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d)
  [[ $(wc -l <<<"$top") -eq 1 && -f $top/Include/patchlevel.h ]] ||
    die "$tarball does not unpack to one CPython tree"
  version=$(sed -n 's/^#define PY_VERSION[[:space:]]*"\([0-9.]*\).*"/\1/p' "$top/Include/patchlevel.h")
  [[ $version == "$minor".* ]] || die "$tarball holds CPython '$version', expected $minor.x"
  rm -rf "$SRC/cpython-$version"
  mv "$top" "$SRC/cpython-$version"
  rmdir "$tmp"
  ln -sfn "cpython-$version" "$SRC/cpython-$minor"
  # VERSIONS: one "X.Y=X.Y.Z" line per minor.
  touch "$SRC/VERSIONS"
  sed -i "/^$minor=/d" "$SRC/VERSIONS"
  echo "$minor=$version" >>"$SRC/VERSIONS"
  sort -o "$SRC/VERSIONS" "$SRC/VERSIONS"
  say "CPython $version -> src/cpython-$version (from $(basename "$tarball"))"
}

phase_sources() {
  if stamp_ok sources && [[ -f $SRC/cpython-3.11/Include/patchlevel.h && -f $SRC/cpython-3.13/Include/patchlevel.h ]]; then
    say "sources already present ($(tr '\n' ' ' <"$SRC/VERSIONS"))"
    return
  fi
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$DOWNLOADS" "$SRC"
  cat >"$APT_DIR/sources.list" <<EOF
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR bookworm main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR trixie main
EOF
  say "apt update (private source lists, mirror $MIRROR)"
  apt_private update
  local spec
  for spec in python3.11/bookworm python3.13/trixie zlib/bookworm bzip2/bookworm; do
    say "apt-get source --download-only $spec"
    # Already downloaded files with the right checksum are skipped by apt.
    (cd "$DOWNLOADS" && apt_private source --download-only "$spec")
  done
  extract_cpython python3.11 3.11
  extract_cpython python3.13 3.13
  stamp sources
}

# ---------------------------------------------------------------- phase 3
phase_wasisdk() {
  local top="wasi-sdk-$WASI_SDK_HOST_VERSION.0"
  local out="$MIRROR_HOST/releases/download/wasi-sdk-$WASI_SDK_HOST_VERSION/$top-linux.tar.gz"
  if stamp_ok wasisdk && [[ -f $out && -f $out.sha256 ]]; then
    say "WASI SDK $WASI_SDK_HOST_VERSION archive already built"
    return
  fi
  local llvm_version libc_version
  llvm_version=$("clang-$HOST_LLVM" -dumpversion)
  libc_version=$(dpkg-query -W -f='${Version}' wasi-libc)
  say "building $top from clang-$HOST_LLVM ($llvm_version)"
  mkdir -p "$BUILD"
  write_sdk_layout "$BUILD/$top" "$HOST_LLVM" /usr/include/wasm32-wasi /usr/lib/wasm32-wasi \
    "$WASI_SDK_HOST_VERSION.0
llvm-version: $llvm_version (Debian clang-$HOST_LLVM)
wasi-libc: $libc_version (Debian wasi-libc)"
  check_links "$BUILD/$top"
  pack_sdk "$BUILD" "$top" "$out"
  say "packed $out ($(du -h "$out" | cut -f1)), sha256 $(cat "$out.sha256")"

  say "checking the archive: unpack, compile hello.c, run under node:wasi"
  local t out_text rc=0
  t=$(mktemp -d)
  tar -xzf "$out" -C "$t"
  mkdir -p "$t/data" && echo payload >"$t/data/in.txt"
  write_hello "$t/hello.c"
  "$t/$top/bin/clang" -O2 -o "$t/hello.wasm" "$t/hello.c"
  # The preprocessor must work standalone too (configure's $CPP).
  "$t/$top/bin/clang-cpp" "$t/hello.c" >"$t/hello.i"
  grep -q 'fopen' "$t/hello.i" || die "clang-cpp did not preprocess hello.c"
  out_text=$(node "$SCRIPT_DIR/wasi-run.mjs" --dir "$t/data::/data" --env WHO=wasi -- "$t/hello.wasm" one) || rc=$?
  check_hello "$out_text" "$rc"
  rm -rf "$t"
  say "hello.wasm ran: $out_text (exit $rc as expected)"
  stamp wasisdk
}

# ---------------------------------------------------------------- phase 4
# llvm-N carries llvm-ar/llvm-ranlib (only a Recommends of clang-N, and the
# root installs without recommends).
# zlib1g-dev: the build Python needs zlib (the browser build zips the stdlib with it)
# ccache: the action compiles each target through it when it is on PATH
TRIXIE_PACKAGES=(
  emscripten make gcc libc6-dev zlib1g-dev xz-utils git pkg-config ca-certificates python3 ccache
  "clang-$TRIXIE_LLVM" "lld-$TRIXIE_LLVM" "llvm-$TRIXIE_LLVM" wasi-libc
  "libclang-rt-$TRIXIE_LLVM-dev-wasm32"
)
# The stamp names the package list, so a root made with an older list gets the new packages.
TRIXIE_PACKAGES_STAMP="trixie-packages-$(printf '%s\n' "${TRIXIE_PACKAGES[@]}" | sha256sum | cut -c1-12)"

# check_links DIR: every symlink in DIR is relative and resolves inside it
# (the action refuses an archive with a link that leads elsewhere).
check_links() {
  local link
  while IFS= read -r -d '' link; do
    [[ $(readlink "$link") != /* ]] || die "$link -> $(readlink "$link") leads outside the SDK"
    [[ -e $link ]] || die "$link -> $(readlink "$link") does not exist"
  done < <(find "$1" -type l -print0)
}

phase_trixie() {
  local top="wasi-sdk-$WASI_SDK_TRIXIE_VERSION.0-x86_64-linux" t0
  local rel="releases/download/wasi-sdk-$WASI_SDK_TRIXIE_VERSION/$top.tar.gz"
  local out="$TRIXIE$MIRROR_TRIXIE_GUEST/$rel"
  if [[ -f $TRIXIE/.provisioned && -f $out.sha256 ]] && stamp_ok trixie-sdk && stamp_ok "$TRIXIE_PACKAGES_STAMP"; then
    say "trixie root already provisioned ($(cat "$TRIXIE/.provisioned"))"
    return
  fi

  if ! stamp_ok trixie-debootstrap || [[ ! -x $TRIXIE/usr/bin/apt-get ]]; then
    if [[ -e $TRIXIE ]]; then
      # Never rm -rf a root with /dev or /proc mounted in it.
      [[ -z $(mounts_under "$TRIXIE") ]] || die "something is mounted under $TRIXIE; unmount it first"
      say "removing incomplete root $TRIXIE"
      rm -rf "$TRIXIE"
    fi
    rm -f "$STAMPS"/trixie-*
    say "debootstrap --variant=minbase trixie $TRIXIE $MIRROR"
    BOOTSTRAPPING=1
    t0=$SECONDS
    debootstrap --variant=minbase trixie "$TRIXIE" "$MIRROR"
    BOOTSTRAPPING=
    say "debootstrap took $((SECONDS - t0))s"
    stamp trixie-debootstrap
  else
    say "trixie root already bootstrapped"
  fi

  if ! stamp_ok "$TRIXIE_PACKAGES_STAMP"; then
    say "installing in the root: ${TRIXIE_PACKAGES[*]}"
    t0=$SECONDS
    # shellcheck disable=SC2016 # expanded by the root's sh
    in_trixie sh -ec 'apt-get update -q
      apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends "$@"
      apt-get clean' sh "${TRIXIE_PACKAGES[@]}"
    say "root packages took $((SECONDS - t0))s"
    stamp "$TRIXIE_PACKAGES_STAMP"
  else
    say "root packages already installed"
  fi
  local node_version emcc_version
  node_version=$(in_trixie node --version)
  emcc_version=$(in_trixie emcc --version)
  emcc_version=${emcc_version%%$'\n'*}
  say "in the root: node $node_version; $emcc_version"

  # Debian trixie ships the WASI sysroot under the wasm32-wasip1 triple.
  local inc=/usr/include/wasm32-wasip1 lib=/usr/lib/wasm32-wasip1
  [[ -d $TRIXIE$inc ]] || inc=/usr/include/wasm32-wasi
  [[ -d $TRIXIE$lib ]] || lib=/usr/lib/wasm32-wasi
  local llvm_version libc_version
  llvm_version=$(in_trixie "clang-$TRIXIE_LLVM" -dumpversion)
  # shellcheck disable=SC2016 # dpkg-query's format, not a shell expansion
  libc_version=$(in_trixie dpkg-query -W -f='${Version}' wasi-libc)
  say "building $top from the root's clang-$TRIXIE_LLVM ($llvm_version), sysroot $inc, $lib"
  mkdir -p "$BUILD"
  write_sdk_layout "$BUILD/$top" "$TRIXIE_LLVM" "$inc" "$lib" \
    "$WASI_SDK_TRIXIE_VERSION.0
llvm-version: $llvm_version (Debian clang-$TRIXIE_LLVM)
wasi-libc: $libc_version (Debian wasi-libc)" "$TRIXIE"
  # Anything asking for the wasip1 triple's libraries finds them too (a link inside the SDK).
  ln -s wasm32-wasi "$BUILD/$top/share/wasi-sysroot/lib/wasm32-wasip1"
  check_links "$BUILD/$top"
  pack_sdk "$BUILD" "$top" "$out"
  say "packed $out ($(du -h "$out" | cut -f1)), sha256 $(cat "$out.sha256")"
  install -m 644 "$SCRIPT_DIR/wasi-run.mjs" "$TRIXIE/opt/wasi-run.mjs"

  say "checking it in the root: unpack, compile hello.c, run with the root's node"
  local t=$TRIXIE/tmp/e2e-check out_text rc=0
  rm -rf "$t" && mkdir -p "$t/data" && echo payload >"$t/data/in.txt"
  write_hello "$t/hello.c"
  # shellcheck disable=SC2016 # expanded by the root's sh
  out_text=$(in_trixie sh -ec 'cd /tmp/e2e-check
    tar -xzf "$1"
    "./$2/bin/clang" -O2 -o hello.wasm hello.c
    "./$2/bin/clang-cpp" hello.c >hello.i && grep -q fopen hello.i
    node /opt/wasi-run.mjs --dir /tmp/e2e-check/data::/data --env WHO=wasi -- hello.wasm one' \
    sh "$MIRROR_TRIXIE_GUEST/$rel" "$top") || rc=$?
  check_hello "$out_text" "$rc"
  rm -rf "$t"
  say "hello.wasm ran in the root: $out_text (exit $rc as expected)"
  stamp trixie-sdk
  printf 'node %s; %s; clang %s\n' "$node_version" "$emcc_version" "$llvm_version" >"$TRIXIE/.provisioned"
}

# ---------------------------------------------------------------- phase 5
# seed_port NAME SRCPKG: $EMPORTS/NAME/<subdir>/ from Debian's upstream
# tarball, plus the .emscripten_url marker Emscripten compares (stripped)
# with the port's URL before deciding to download.
seed_port() {
  local name=$1 pkg=$2 info version url subdir tarball tmp top
  # The port's URL and subdir, from the root's Emscripten (files/port-info.py).
  info=$(in_trixie python3 -c "$(<"$FILES/port-info.py")" "$name")
  read -r version url subdir <<<"$info"
  [[ -n $subdir ]] || die "could not read the $name port's URL and subdir (got: $info)"
  tarball=$(orig_tarball "$pkg") || die "no .orig tarball for $pkg in $DOWNLOADS (run the sources phase)"
  tmp=$(mktemp -d "$E2E_HOME/.extract.XXXXXX")
  tar --no-same-owner -xf "$tarball" -C "$tmp"
  top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d)
  [[ $(wc -l <<<"$top") -eq 1 ]] || die "$tarball does not unpack to one directory"
  rm -rf "${EMPORTS:?}/$name"
  mkdir -p "$EMPORTS/$name"
  mv "$top" "$EMPORTS/$name/$subdir"
  rmdir "$tmp"
  printf '%s\n' "$url" >"$EMPORTS/$name/.emscripten_url"
  say "port $name $version: emports/$name/$subdir from $(basename "$tarball"); marker $url"
}

phase_emports() {
  if stamp_ok emports && [[ -f $EMPORTS/zlib/.emscripten_url && -f $EMPORTS/bzip2/.emscripten_url ]]; then
    say "Emscripten port seeds already present"
    return
  fi
  [[ -f $TRIXIE/.provisioned ]] || die "the trixie root is not provisioned (run the trixie phase)"
  # zlib: same version as the port (1.2.13); bzip2: Debian's 1.0.8 stands in
  # for the port's 1.0.6 (same files, bug fixes only).
  seed_port zlib zlib
  seed_port bzip2 bzip2

  say "checking: embuilder build zlib bzip2 in the root, without network"
  local t=$TRIXIE/tmp/e2e-emcheck start rc=0 log libs
  rm -rf "$t" && mkdir -p "$t/cache"
  # Debian's config freezes the cache (FROZEN_CACHE = True): use a thawed copy.
  sed -E 's/^FROZEN_CACHE *= *True/FROZEN_CACHE = False/' \
    "$TRIXIE/usr/share/emscripten/.emscripten" >"$t/config"
  grep -q '^FROZEN_CACHE = False' "$t/config" || echo 'FROZEN_CACHE = False' >>"$t/config"
  E2E_EMPORTS=$EMPORTS "$SCRIPT_DIR/seed-emscripten-ports.sh" "$t/cache"
  start=$SECONDS
  # unshare -n: an empty network namespace proves nothing is downloaded.
  log=$(unshare -n "$CHROOT_RUN" "$TRIXIE" EM_CONFIG=/tmp/e2e-emcheck/config \
    EM_CACHE=/tmp/e2e-emcheck/cache NODE_PATH=/usr/share/nodejs \
    embuilder build zlib bzip2 2>&1) || rc=$?
  printf '%s\n' "$log" | sed 's/^/    /'
  [[ $rc -eq 0 ]] || die "embuilder failed (exit $rc)"
  libs=$(cd "$t/cache/sysroot/lib" && find . -name '*.a' | sort | tr '\n' ' ')
  say "embuilder took $((SECONDS - start))s; libraries in the cache: $libs"
  rm -rf "$t"
  stamp emports
}

# ---------------------------------------------------------------- phase 6
phase_env() {
  local v311 v313
  v311=$(sed -n 's/^3\.11=//p' "$SRC/VERSIONS")
  v313=$(sed -n 's/^3\.13=//p' "$SRC/VERSIONS")
  [[ -n $v311 && -n $v313 ]] || die "src/VERSIONS is incomplete (run the sources phase)"
  cat >"$E2E_HOME/env.sh.tmp" <<EOF
# Generated by scripts/e2e/provision-e2e.sh: source it to find the e2e toolchains.
export E2E_HOME='$E2E_HOME'
export E2E_TRIXIE='$TRIXIE'
export E2E_SRC_311='$SRC/cpython-$v311'
export E2E_SRC_313='$SRC/cpython-$v313'
export E2E_WASI_SDK_MIRROR_HOST='$MIRROR_HOST'
export E2E_WASI_SDK_MIRROR_TRIXIE='$MIRROR_TRIXIE_GUEST'
export E2E_EMPORTS='$EMPORTS'
EOF
  mv "$E2E_HOME/env.sh.tmp" "$E2E_HOME/env.sh"
  say "wrote $E2E_HOME/env.sh"
}

# ---------------------------------------------------------------- browser
# Chromium inside the root: the action runs there, and its browser smoke
# test opens the emscripten-browser build in headless Chromium.
phase_browser() {
  if stamp_ok trixie-chromium && [[ -x $TRIXIE/usr/bin/chromium ]]; then
    say "chromium already installed in the root"
    return
  fi
  local t0=$SECONDS
  # shellcheck disable=SC2016 # expanded by the root's sh
  in_trixie sh -ec 'apt-get update -q
    apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends chromium fonts-dejavu-core
    apt-get clean'
  say "chromium in the root took $((SECONDS - t0))s"
  stamp trixie-chromium
}

# ---------------------------------------------------------------- main
run_phase() {
  local name=$1 start=$SECONDS
  say "phase $name"
  "phase_$name"
  TIMINGS+=("$(printf '%-8s %4ds' "$name" $((SECONDS - start)))")
}

ALL_PHASES=(host sources wasisdk trixie browser emports env)
PHASES=("$@")
[[ ${#PHASES[@]} -gt 0 ]] || PHASES=("${ALL_PHASES[@]}")
TIMINGS=()
for p in "${PHASES[@]}"; do
  declare -F "phase_$p" >/dev/null || die "unknown phase '$p' (phases: ${ALL_PHASES[*]})"
done
for p in "${PHASES[@]}"; do
  run_phase "$p"
done
say "done in ${SECONDS}s; per phase:"
printf '    %s\n' "${TIMINGS[@]}"
