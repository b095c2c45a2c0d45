#!/usr/bin/env bash
# Runs every benchmark of bench/ (docs/performance.md) and prints each as a ratio against its
# baseline from the same run: the engine natively, the Windows adapters under Wine in a
# throwaway prefix. Absolute times on shared machines are noise; the ratios are the result.
#
# Usage: scripts/bench.sh      (as root on a fresh Debian 12 machine, like scripts/test.sh)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
export CCACHE_BASEDIR=$repo CCACHE_NOHASHDIR=1
scripts/bootstrap.sh
for preset in linux mingw; do
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" >/dev/null
done

echo "== engine (native)"
build/linux/bin/engine_bench

prefix=$repo/build/mingw/bench-wineprefix
scripts/wine-session.sh start "$prefix"
trap 'scripts/wine-session.sh stop "$prefix"' EXIT
for bench in capture_bench restart_bench control_bench; do
  echo "== $bench (Wine)"
  scripts/wine-run.sh "$prefix" "build/mingw/bin/$bench.exe"
done
