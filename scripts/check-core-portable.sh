#!/usr/bin/env bash
# Fails if daemon/core reaches past its ports: a Windows header, the clock, a sleep, a thread or a
# process call. The engine must stay portable and deterministic under test (README: Layout).
set -u
core=$(cd "$(dirname "${BASH_SOURCE[0]}")/../daemon/core" && pwd)
forbidden='#include <windows\.h>|#include <(winsock2|processthreadsapi|synchapi)\.h>|steady_clock::now|system_clock::now|sleep_for|sleep_until|std::thread|CreateProcess|std::system\(|popen\('
if grep -nE "$forbidden" "$core"/*.h "$core"/*.cc; then
  echo "daemon/core must not use the lines above: go through a port (Clock, Timers, ProcessLauncher)" >&2
  exit 1
fi
echo "daemon/core is portable: no Windows header, clock, sleep, thread or process call"
