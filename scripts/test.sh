#!/usr/bin/env bash
# Runs every test on a fresh Debian 12 machine, as root: bootstraps the machine, then builds and
# tests each flavour in turn (linux, linux-asan, linux-tsan, mingw under Wine including the e2e
# tests of supd as a real service) and prints the test cases passed, failed and skipped per ring, naming every
# failed or skipped case and the longest ones (also in build/logs/summary.log). Exits non-zero if
# anything failed; later flavours still run so one report shows everything.
#
# Usage: scripts/test.sh [PRESET...]      (default: linux linux-asan linux-tsan mingw)
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(linux linux-asan linux-tsan mingw)

# ccache hits across clones: paths are hashed relative to the checkout.
export CCACHE_BASEDIR=$repo CCACHE_NOHASHDIR=1
started=$(date +%s)
elapsed() { echo "$(( $(date +%s) - started ))s"; }

scripts/bootstrap.sh || { echo "test: bootstrap failed"; exit 1; }
echo "test: bootstrap done at $(elapsed)"

logs=$repo/build/logs
mkdir -p "$logs"
passed=0 failed=0 skipped=0 broken=()
: >"$logs/summary.log"
for preset in "${presets[@]}"; do
  preset_started=$(date +%s)
  # Each retry a test helper makes (wine-run.sh, process_runner, the e2e service start) adds a line
  # here; the report counts them. Windows programs under Wine reach it by its Z: path.
  export SUP_TEST_RETRIES="$logs/$preset.retries.log"
  export SUP_TEST_RETRIES_WIN="Z:${SUP_TEST_RETRIES//\//\\}"
  : >"$SUP_TEST_RETRIES"
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
  rm -f "$logs/$preset.junit.xml"
  ctest --preset "$preset" --output-junit "$logs/$preset.junit.xml" 2>&1 | tee "$logs/$preset.test.log"
  ctest_status=${PIPESTATUS[0]}
  if [ ! -s "$logs/$preset.junit.xml" ] ||
     ! ctest --preset "$preset" --show-only=json-v1 >"$logs/$preset.tests.json" 2>/dev/null ||
     ! report=$(python3 scripts/test-report.py "$preset" "$logs/$preset.junit.xml" "$logs/$preset.tests.json" \
                  tests/ring_floors.json "$(( $(date +%s) - preset_started ))" "$SUP_TEST_RETRIES"); then
    echo "test: $preset: ctest left no report of its cases (exit status $ctest_status)"
    broken+=("$preset"); continue
  fi
  grep -v '^counts ' <<<"$report" | tee -a "$logs/summary.log"
  read -r _ npassed nfailed nskipped < <(grep '^counts ' <<<"$report")
  passed=$((passed + npassed)) failed=$((failed + nfailed)) skipped=$((skipped + nskipped))
  # A case that failed (or a ring below its floor), or a failure outside any case (a test list
  # that could not be read).
  if [ "$nfailed" != 0 ] || [ "$ctest_status" != 0 ]; then broken+=("$preset"); fi
  echo "test: $preset: done at $(elapsed)"
done

echo
echo "test: presets ${presets[*]} in $(elapsed) (the whole run's budget on a fresh machine: 900s)"
[ ${#broken[@]} -eq 0 ] || echo "test: FAILED in: ${broken[*]}"
echo "totals: $passed passed, $failed failed, $skipped skipped (test cases; skips are listed above)"
[ ${#broken[@]} -eq 0 ]
