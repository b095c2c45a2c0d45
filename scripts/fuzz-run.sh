#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time: the committed seeds first (and the crash inputs
# kept in REGRESSIONS, if that folder exists), then mutations of them. New inputs go to FOUND (in
# the build folder); a crashing input is saved beside it and named in the output, ready to replay
# with `FUZZER FILE` and to keep in tests/fuzz/regressions/<target>/.
#
# Usage: scripts/fuzz-run.sh FUZZER FOUND SEEDS SECONDS [REGRESSIONS]
set -euo pipefail
[ $# -eq 4 ] || [ $# -eq 5 ] || { echo "usage: $0 FUZZER FOUND SEEDS SECONDS [REGRESSIONS]" >&2; exit 2; }
fuzzer=$1 found=$2 seeds=$3 seconds=$4 regressions=${5:-}
[ -d "$seeds" ] || { echo "fuzz-run: no seed corpus at $seeds" >&2; exit 1; }
more_seeds=()
[ -z "$regressions" ] || [ ! -d "$regressions" ] || more_seeds=("$regressions")
artifacts=$found.artifacts
mkdir -p "$found" "$artifacts"
# -entropic=0: the entropic scheduler's bookkeeping took over half of each run of the session
# fuzzer (measured with perf); without it the same time runs twice the inputs.
exec "$fuzzer" "$found" "$seeds" "${more_seeds[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -entropic=0 \
  -print_final_stats=1 -artifact_prefix="$artifacts/"
