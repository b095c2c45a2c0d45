#!/usr/bin/env bash
# The layering of docs/architecture.md, checked on the sources:
#  - the portable parts (common/config, daemon/engine, daemon/control, daemon/output) reach
#    nothing past their ports: no Windows header, clock, sleep, thread or process call, and no
#    include of a win/ folder; common itself (which holds SystemClock) no Windows header either;
#  - dependencies point down: common includes nothing from daemon/ or client/, client/ nothing
#    from daemon/, the engine nothing from the control plane, the output part or the adapters.
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
failed=0

# files of a part: its own folder only (subfolders are parts of their own)
files_of() { find "$1" -maxdepth 1 \( -name '*.h' -o -name '*.cc' \) | sort; }

portable_parts=(common/config daemon/engine daemon/control daemon/output)
forbidden_calls='#include <windows\.h>|#include <(winsock2|processthreadsapi|synchapi)\.h>|steady_clock::now|system_clock::now|sleep_for|sleep_until|std::thread|CreateProcess|std::system\(|popen\(|#include "[a-z/]*/win/'
for part in "${portable_parts[@]}"; do
  if grep -nE "$forbidden_calls" $(files_of "$part"); then
    echo "$part is portable: the lines above must go through a port (Clock, Timers, ProcessLauncher) or an adapter" >&2
    failed=1
  fi
done

if grep -nE '#include <windows\.h>|#include "common/win/' $(files_of common); then
  echo "common (outside common/win) is portable: no Windows header" >&2
  failed=1
fi

# part (with its subfolders) -> include prefixes it must not use
check_includes() {
  local part=$1 forbidden=$2
  if grep -rnE "#include \"($forbidden)" --include='*.h' --include='*.cc' "$part"; then
    echo "$part must not include ${forbidden//|/ or }: dependencies point down (docs/architecture.md)" >&2
    failed=1
  fi
}
check_includes common 'daemon/|client/'
check_includes client 'daemon/'
check_includes daemon/engine 'daemon/control/|daemon/output/|daemon/win/'
check_includes daemon/output 'daemon/engine/|daemon/control/|daemon/win/'
check_includes daemon/control 'daemon/output/|daemon/win/'

if ((failed)); then exit 1; fi
echo "layering holds: portable parts reach no Windows header, clock, thread or process call; client/ includes nothing from daemon/"
