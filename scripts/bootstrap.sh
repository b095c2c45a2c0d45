#!/usr/bin/env bash
# Makes a fresh Debian 12 machine ready to build and test sup, as root:
#   1. installs the Debian packages (native and MinGW-w64 compilers, Wine, CMake, libraries);
#   2. adds a deb-src entry and fetches Debian's protobuf source at exactly the version of the
#      installed protoc, so generated code and the cross-built runtime always match;
#   3. cross-builds the protobuf lite runtime and GoogleTest for Windows into the cache folder;
#   4. exposes the header-only libraries (Boost, spdlog, fmt, CLI11, nlohmann-json) to the cross compiler through
#      a folder of symlinks, never through -I/usr/include (that would pull in glibc headers).
# Idempotent: every step checks whether its result is already there, so a second run takes seconds.
#
# Usage: scripts/bootstrap.sh            cache in build/deps (override with SUP_DEPS_DIR)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deps=${SUP_DEPS_DIR:-$repo/build/deps}
mingw_prefix=$deps/mingw
toolchain=$repo/cmake/mingw-w64-x86_64.cmake

current_step="start"
trap 'echo "bootstrap: FAILED during: $current_step" >&2' ERR
step() { current_step=$1; echo "bootstrap: $1"; }
die() { echo "bootstrap: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (it installs Debian packages); try: sudo $0"
command -v apt-get >/dev/null || die "needs a Debian 12 (bookworm) machine with apt-get"

packages=(
  g++ cmake ninja-build ccache pkg-config dpkg-dev
  clang libclang-rt-14-dev clang-format
  protobuf-compiler libprotobuf-dev
  libboost-dev libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  g++-mingw-w64-x86-64-posix gcc-mingw-w64-x86-64-posix mingw-w64-x86-64-dev
  wine wine64
  python3-prometheus-client
  wixl msitools zip
)

step "Debian packages"
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >"${TMPDIR:-/tmp}/sup-apt.log" 2>&1 \
    || die "apt-get install failed (log: ${TMPDIR:-/tmp}/sup-apt.log); check the Debian mirror in /etc/apt/sources.list.d"
fi

step "deb-src entry for apt-get source"
src_list=/etc/apt/sources.list.d/sup-deb-src.sources
if ! grep -rqs "^Types:.*deb-src" /etc/apt/sources.list.d/ && ! grep -qs "^deb-src" /etc/apt/sources.list; then
  cat >"$src_list" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  apt-get update -qq
fi

# The Debian source version of the protoc we generate code with (e.g. 3.21.12-3+deb12u1).
protobuf_src_version=$(dpkg-query -W -f='${source:Version}' protobuf-compiler)
protobuf_upstream=${protobuf_src_version%%-*}
protoc_reports=$(protoc --version | awk '{print $2}')
[ "$protoc_reports" = "$protobuf_upstream" ] \
  || die "protoc reports $protoc_reports but its Debian source is $protobuf_src_version"

step "protobuf $protobuf_src_version source"
src_root=$deps/src
protobuf_src=$src_root/protobuf-$protobuf_upstream
if [ ! -f "$protobuf_src/CMakeLists.txt" ]; then
  mkdir -p "$src_root"
  (cd "$src_root" && apt-get source -qq "protobuf=$protobuf_src_version" >"$src_root/apt-source.log" 2>&1) \
    || die "apt-get source protobuf=$protobuf_src_version failed (log: $src_root/apt-source.log); is the deb-src entry reachable?"
fi

export CCACHE_BASEDIR=$repo CCACHE_NOHASHDIR=1
cross_cmake() {  # source-dir build-dir extra-args...
  local src=$1 build=$2; shift 2
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DCMAKE_INSTALL_PREFIX="$mingw_prefix" "$@" >"$build.configure.log" 2>&1 \
    || die "configuring $(basename "$src") for MinGW failed (log: $build.configure.log)"
}

step "protobuf-lite $protobuf_upstream for MinGW"
protobuf_stamp=$mingw_prefix/protobuf-lite.$protobuf_src_version.stamp
if [ ! -f "$protobuf_stamp" ]; then
  build=$deps/build/protobuf
  mkdir -p "$build" "$mingw_prefix/lib" "$mingw_prefix/include"
  # Only the lite runtime: sup's messages are LITE_RUNTIME, which keeps binaries and builds small.
  cross_cmake "$protobuf_src" "$build" -Dprotobuf_BUILD_TESTS=OFF -Dprotobuf_BUILD_PROTOC_BINARIES=OFF \
    -Dprotobuf_WITH_ZLIB=OFF -Dprotobuf_BUILD_SHARED_LIBS=OFF
  cmake --build "$build" --target libprotobuf-lite >"$build.build.log" 2>&1 \
    || die "building protobuf-lite for MinGW failed (log: $build.build.log)"
  cp "$build/libprotobuf-lite.a" "$mingw_prefix/lib/"
  (cd "$protobuf_src/src" && find google -name '*.h' -o -name '*.inc' | xargs cp --parents -t "$mingw_prefix/include")
  touch "$protobuf_stamp"
fi

step "GoogleTest for MinGW"
gtest_stamp=$mingw_prefix/googletest.$(dpkg-query -W -f='${Version}' googletest).stamp
if [ ! -f "$gtest_stamp" ]; then
  build=$deps/build/googletest
  mkdir -p "$build"
  cross_cmake /usr/src/googletest "$build" -DBUILD_GMOCK=ON -DINSTALL_GTEST=ON
  cmake --build "$build" --target install >"$build.build.log" 2>&1 \
    || die "building GoogleTest for MinGW failed (log: $build.build.log)"
  touch "$gtest_stamp"
fi

step "header-only libraries for MinGW"
shims=$mingw_prefix/shim-include
mkdir -p "$shims"
for dir in boost spdlog fmt CLI nlohmann; do
  [ -d "/usr/include/$dir" ] || die "/usr/include/$dir is missing; reinstall the Debian -dev package that ships it"
  ln -sfn "/usr/include/$dir" "$shims/$dir"
done

current_step="done"
echo "bootstrap: ready (cache: $deps)"
