#!/usr/bin/env bash
# The main job: supd as a real Windows service under Wine, with the example configuration of
# config/, and `supctl status` showing it. As root on a fresh Debian 12 machine:
#
#   scripts/run-main.sh          bootstrap, build, install + start the service, show its status
#   scripts/run-main.sh status   `supctl status` against the running service
#   scripts/run-main.sh stop     stop and delete the service, end the Wine session, remove the prefix
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
prefix=$repo/build/main-wineprefix
log=$repo/build/main.log
export WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
service=supd

# Every Wine command's stdio goes to the log: services inherit the first Wine process's stdio,
# and a terminal or pipe they hold open would outlive this script.
wine_quiet() { wine "$@" >>"$log" 2>&1 </dev/null; }
supctl() {
  local out status=0
  out=$(mktemp)
  wine "$repo/build/mingw/bin/supctl.exe" "$@" >"$out" 2>&1 </dev/null || status=$?
  cat "$out"
  rm -f "$out"
  return "$status"
}

case "${1:-start}" in
  start)
    scripts/bootstrap.sh
    export CCACHE_BASEDIR=$repo CCACHE_NOHASHDIR=1
    cmake --preset mingw >"$repo/build/main.configure.log" 2>&1 \
      || { tail -20 "$repo/build/main.configure.log"; exit 1; }
    cmake --build --preset mingw --target supd supctl testworker
    : >"$log"
    scripts/wine-session.sh start "$prefix"
    # The example workers run the test worker from where an installation would put programs.
    examples="$prefix/drive_c/Program Files/Sup/examples"
    mkdir -p "$examples"
    cp "$repo/build/mingw/bin/testworker.exe" "$examples/"
    wine_quiet reg import "$(winepath -w "$repo/config/example.reg")"
    # As an admin would: register the supd.exe beside supctl.exe (auto start, restart on
    # failure), then start it; `service start` returns once supd answers its health pipe.
    echo "== supctl service install"
    supctl service install --name "$service"
    echo "== supctl service start"
    supctl service start --name "$service"
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
    echo "supd runs as the Windows service '$service' in the Wine prefix $prefix."
    echo "  status:   scripts/run-main.sh status"
    echo "  by hand:  WINEPREFIX=$prefix wine build/mingw/bin/supctl.exe status"
    echo "  stop and clean up: scripts/run-main.sh stop"
    ;;
  status)
    supctl status
    ;;
  stop)
    if [ -d "$prefix" ]; then
      supctl service uninstall --name "$service" --purge || true
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
