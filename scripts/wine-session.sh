#!/usr/bin/env bash
# One Wine session for a test run, used as CTest's `wine_session` fixture:
#   wine-session.sh start PREFIX   a throwaway prefix, booted, with a persistent wineserver
#   wine-session.sh stop PREFIX    kills every Wine process of the prefix (services included)
#
# CTest lists the test cases of each Windows program under Wine before any test runs (so before
# the fixture): wine-run.sh boots the session itself if the prefix has none, and marks it unused;
# the fixture's `start` then takes that session over instead of booting a second one.
#
# The persistent wineserver keeps services.exe (and so any service a test starts) alive between
# test programs: without it Wine kills every service ~2 s after the last ordinary Wine process
# exits. The prefix boots with stdio on files because services inherit the first Wine process's
# stdio.
set -euo pipefail
action=$1
export WINEPREFIX=$2
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="

unused="$WINEPREFIX/.unused-session"

# C:\sup-links\app, a symbolic link to C:\sup-links\elsewhere, for the tests of supd refusing
# to write through links (log_file_test.cc): Wine 8's CreateSymbolicLinkW does nothing and it
# refuses junctions, but it shows a Unix symbolic link as Windows shows a junction. And
# C:\sup-writable, a folder everyone may write (Unix mode 0777, which Wine shows as Everyone
# holding write rights: it keeps a DACL set from Windows only as mode bits), for the tests of supd refusing or
# repairing such folders (own_folder_test.cc).
make_test_links() {
  local links="$WINEPREFIX/drive_c/sup-links"
  mkdir -p "$links/elsewhere/logs"
  ln -sfn "$links/elsewhere" "$links/app"
  # (C:\sup-writable\own is the one a test repairs: Wine turns the DACL it is given into Unix
  # mode bits, so the repair takes o+w away.)
  mkdir -p "$WINEPREFIX/drive_c/sup-writable/own"
  chmod 0777 "$WINEPREFIX/drive_c/sup-writable" "$WINEPREFIX/drive_c/sup-writable/own"
  # C:\sup-links\tree\logs\planted, a link to C:\sup-links\keep (whose file must outlive a
  # delete of the tree: safe_paths_test.cc).
  mkdir -p "$links/keep" "$links/tree/logs"
  echo precious >"$links/keep/precious.txt"
  echo log >"$links/tree/logs/w.out.log"
  ln -sfn "$links/keep" "$links/tree/logs/planted"
}

case "$action" in
  start)
    # A session booted moments ago for test discovery, that no test has used yet.
    if [ -n "$(find "$unused" -mmin -15 2>/dev/null)" ]; then
      rm -f "$unused"
      wineserver -p >/dev/null 2>&1 </dev/null || true
      make_test_links
      echo "wine session ready (booted for test discovery): $WINEPREFIX"
      exit 0
    fi
    rm -f "$unused"
    wineserver -k >/dev/null 2>&1 </dev/null || true
    rm -rf "$WINEPREFIX"
    mkdir -p "$WINEPREFIX"
    started=$(date +%s%N)
    wine wineboot -i >"$WINEPREFIX/boot.log" 2>&1 </dev/null
    # Let the new prefix finish booting: a service started during the first boot was seen to stop
    # by itself.
    wineserver -w >/dev/null 2>&1 </dev/null
    # No X display here: the null graphics driver lets workers create windows (message loops,
    # WM_CLOSE), and must be set before explorer.exe next starts.
    wine reg add 'HKCU\Software\Wine\Drivers' /v Graphics /d null /f >>"$WINEPREFIX/boot.log" 2>&1 </dev/null
    # A crashing worker must die, not wait on winedbg's dialog: Wine does not pass supd's
    # SEM_NOGPFAULTERRORBOX on to child processes as Windows does.
    wine reg add 'HKCU\Software\Wine\WineDbg' /v ShowCrashDialog /t REG_DWORD /d 0 /f >>"$WINEPREFIX/boot.log" 2>&1 </dev/null
    wineserver -w >/dev/null 2>&1 </dev/null
    wineserver -p >/dev/null 2>&1 </dev/null
    wine cmd /c exit >>"$WINEPREFIX/boot.log" 2>&1 </dev/null
    make_test_links
    echo "wine session ready in $(( ($(date +%s%N) - started) / 1000000 )) ms: $WINEPREFIX"
    ;;
  start-unused)
    "$0" start "$WINEPREFIX"
    touch "$unused"
    ;;
  stop)
    wineserver -k >/dev/null 2>&1 </dev/null || true
    rm -f "$unused"
    echo "wine session stopped: $WINEPREFIX"
    ;;
  *)
    echo "usage: $0 start|start-unused|stop PREFIX" >&2
    exit 2
    ;;
esac
