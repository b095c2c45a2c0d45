#!/usr/bin/env bash
# The main job: supd as a real Windows service under Wine, with the example configuration of
# config/, and `supctl status` showing it. As root on a fresh Debian 12 machine:
#
#   scripts/run-main.sh          bootstrap, build the MSI, install it with msiexec as an admin would
#                                (the example configuration as its CONFIG_FILE), show the status
#   scripts/run-main.sh status   `supctl status` against the running service
#   scripts/run-main.sh stop     uninstall (REMOVE_CONFIG=1), end the Wine session, remove the prefix
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
prefix=$repo/build/main-wineprefix
log=$repo/build/main.log
export WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
service=supd
version=$(sed -n 's/^project(sup VERSION \([0-9.]*\) .*/\1/p' CMakeLists.txt)
msi=$repo/build/package/sup-$version-x64.msi

# Every Wine command's stdio goes to the log: services inherit the first Wine process's stdio,
# and a terminal or pipe they hold open would outlive this script.
wine_quiet() { wine "$@" >>"$log" 2>&1 </dev/null; }
supctl() {
  local out status=0
  out=$(mktemp)
  # The installed supctl, on the system PATH of a new session.
  wine 'C:\Program Files\Sup\supctl.exe' "$@" >"$out" 2>&1 </dev/null || status=$?
  cat "$out"
  rm -f "$out"
  return "$status"
}

case "${1:-start}" in
  start)
    scripts/bootstrap.sh
    scripts/package.sh
    : >"$log"
    scripts/wine-session.sh start "$prefix"
    # As an admin would: the MSI, silently, with the example configuration (whose workers run
    # the test worker the MSI puts in Program Files\Sup\examples). Windows Installer registers
    # and starts the service.
    config=$(winepath -w "$repo/config/example.reg")
    echo "== msiexec /i $(basename "$msi") /qn CONFIG_FILE=$config"
    wine_quiet msiexec /i "$(winepath -w "$msi")" /qn "CONFIG_FILE=$config" ||
      { echo "run-main: msiexec failed (exit status $?; Wine keeps its low 8 bits)"; exit 1; }
    # queue-consumer starts once web-api is ready (its readiness probe runs every 5 s) and
    # report-batch is done after 3 s: `supctl status` exits 0 once every worker is where it
    # should be. Wait for that, 60 s at most.
    for _ in $(seq 1 600); do
      supctl status >/dev/null 2>&1 && break
      sleep 0.1
    done
    echo
    echo "== supctl service status"
    supctl service status --name "$service"
    echo
    echo "== supctl status"
    supctl status
    echo
    echo "== supctl -o json status"
    supctl -o json status
    echo
    echo "supd runs as the Windows service '$service' in the Wine prefix $prefix,"
    echo "installed from $msi."
    echo "  status:   scripts/run-main.sh status"
    echo "  by hand:  WINEPREFIX=$prefix wine 'C:\Program Files\Sup\supctl.exe' status"
    echo "  stop and clean up: scripts/run-main.sh stop"
    ;;
  status)
    supctl status
    ;;
  stop)
    if [ -d "$prefix" ]; then
      wine_quiet msiexec /x "$(winepath -w "$msi")" /qn REMOVE_CONFIG=1 || true
      scripts/wine-session.sh stop "$prefix"
      rm -rf "$prefix"
    fi
    echo "supd stopped and removed; the Wine prefix is gone."
    ;;
  *)
    echo "usage: $0 [start|status|stop]" >&2
    exit 2
    ;;
esac
