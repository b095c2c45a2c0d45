#!/usr/bin/env bash
# Runs every test on a fresh Debian 12 machine, as root: bootstraps the machine, then builds and
# tests each flavour in turn (linux, linux-asan, mingw under Wine including the e2e tests of supd
# as a real service) and prints the totals. Exits non-zero if anything failed; later flavours still
# run so one report shows everything.
#
# Usage: scripts/test.sh [PRESET...]      (default: linux linux-asan mingw)
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(linux linux-asan mingw)

# ccache hits across clones: paths are hashed relative to the checkout.
export CCACHE_BASEDIR=$repo CCACHE_NOHASHDIR=1
started=$(date +%s)
elapsed() { echo "$(( $(date +%s) - started ))s"; }

scripts/bootstrap.sh || { echo "test: bootstrap failed"; exit 1; }
echo "test: bootstrap done at $(elapsed)"

logs=$repo/build/logs
mkdir -p "$logs"
passed=0 failed=0 broken=()
for preset in "${presets[@]}"; do
  if ! cmake --preset "$preset" >"$logs/$preset.configure.log" 2>&1; then
    echo "test: $preset: configure FAILED (log: $logs/$preset.configure.log)"
    tail -20 "$logs/$preset.configure.log"
    broken+=("$preset"); continue
  fi
  if ! cmake --build --preset "$preset" >"$logs/$preset.build.log" 2>&1; then
    echo "test: $preset: build FAILED (log: $logs/$preset.build.log)"
    grep -E "error|FAILED" -A5 "$logs/$preset.build.log" | head -60
    broken+=("$preset"); continue
  fi
  echo "test: $preset: built at $(elapsed)"
  ctest --preset "$preset" 2>&1 | tee "$logs/$preset.test.log"
  summary=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$logs/$preset.test.log" | tail -1)
  if [ -z "$summary" ]; then
    echo "test: $preset: ctest printed no summary"
    broken+=("$preset"); continue
  fi
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$summary")
  nfailed=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$summary")
  passed=$((passed + total - nfailed))
  failed=$((failed + nfailed))
  [ "$nfailed" = 0 ] || broken+=("$preset")
  echo "test: $preset: done at $(elapsed)"
done

echo
echo "test: presets ${presets[*]} in $(elapsed)"
[ ${#broken[@]} -eq 0 ] || echo "test: FAILED in: ${broken[*]}"
echo "totals: $passed passed, $failed failed"
[ ${#broken[@]} -eq 0 ]
