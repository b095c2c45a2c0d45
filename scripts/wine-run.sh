#!/usr/bin/env bash
# CTest's emulator for Windows test programs: wine-run.sh PREFIX PROGRAM [ARGS...]
# Runs PROGRAM under Wine in PREFIX (made by wine-session.sh) and passes its exit code on.
#
# The program's output goes to a file and is printed afterwards, never straight into CTest's
# pipe: Wine processes that outlive the test (services.exe, services it started) inherit the
# first Wine process's stdio, and one holding CTest's pipe open would hang the whole run.
# Carriage returns are dropped, so CTest reads the test list as it does natively.
#
# CTest lists the test cases before the `wine_session` fixture has run; a prefix that was never
# booted gets its session here (wine-session.sh).
set -u
export WINEPREFIX=$1
shift
if [ ! -d "$WINEPREFIX/drive_c" ]; then
  "$(dirname "${BASH_SOURCE[0]}")/wine-session.sh" start-unused "$WINEPREFIX" >&2
fi
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
log=$(mktemp "${TMPDIR:-/tmp}/sup-wine-run.XXXXXX")
wine "$@" >"$log" 2>&1 </dev/null
status=$?
# A program that ran prints something (GoogleTest always does); a failure with no output at all
# is Wine failing to start it (seen once in ~500 runs, 9 ms after the call): said, and tried once
# more.
if [ "$status" != 0 ] && [ ! -s "$log" ]; then
  echo "wine-run: wine exited with status $status before the program printed anything; starting it again" >&2
  # Counted in the test summary (scripts/test.sh).
  [ -z "${SUP_TEST_RETRIES:-}" ] || echo "wine-run: $1 printed nothing (status $status)" >>"$SUP_TEST_RETRIES"
  wine "$@" >"$log" 2>&1 </dev/null
  status=$?
fi
tr -d '\r' <"$log"
rm -f "$log"
exit $status
