#!/usr/bin/env bash
# The layering of docs/architecture.md, checked on the sources:
#  - the portable parts (common/config, daemon/engine, daemon/control, daemon/output) reach
#    nothing past their ports: no Windows header, clock, sleep, thread or process call, and no
#    include of a win/ folder; common itself (which holds SystemClock) no Windows header either;
#  - dependencies point down: common includes nothing from daemon/ or client/, client/ nothing
#    from daemon/, the engine nothing from the control plane, the output part or the adapters;
#  - every win/ folder is the adapters of the part it sits in: the portable code of any part never
#    includes one (the first rule), and the adapters never include supctl's code;
#  - the adapters of supd and of common (every win/ folder under daemon/ and common/) are in
#    namespace sup::win, so that a name says it calls Windows;
#  - no file of daemon/ or common/ is over 600 lines: a room that grows past that is split along
#    its own sections before the next issue lands in it.
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

# part (with its subfolders, but not its win/ folders: those are its adapters, which may use
# every part below the host) -> include prefixes it must not use
check_includes() {
  local part=$1 forbidden=$2
  if grep -nE "#include \"($forbidden)" $(find "$part" -type d -name win -prune -o -type f \( -name '*.h' -o -name '*.cc' \) -print | sort); then
    echo "$part must not include ${forbidden//|/ or }: dependencies point down (docs/architecture.md)" >&2
    failed=1
  fi
}
check_includes common 'daemon/|client/'
check_includes client 'daemon/'
check_includes daemon/engine 'daemon/control/|daemon/output/|daemon/win/'
check_includes daemon/output 'daemon/engine/|daemon/control/|daemon/win/'
check_includes daemon/control 'daemon/output/|daemon/win/'
if grep -rnE '#include "client/' --include='*.h' --include='*.cc' daemon; then
  echo "daemon/ (its adapters too) must not include client/: supd does not depend on supctl" >&2
  failed=1
fi

for file in $(find daemon common -path '*/win/*' -type f \( -name '*.h' -o -name '*.cc' \) | sort); do
  # (it may forward-declare names of other parts; its own go in sup::win)
  if grep -qE '^namespace sup::' "$file" && ! grep -qE '^namespace sup::win \{' "$file"; then
    echo "$file is an adapter (a win/ folder): its namespace is sup::win (docs/architecture.md)" >&2
    failed=1
  fi
done

max_lines=600
for file in $(find daemon common -type f \( -name '*.h' -o -name '*.cc' \) | sort); do
  lines=$(wc -l < "$file")
  if ((lines > max_lines)); then
    echo "$file has $lines lines, over $max_lines: split it along its sections (docs/architecture.md)" >&2
    failed=1
  fi
done

if ((failed)); then exit 1; fi
echo "layering holds: portable parts reach no Windows header, clock, thread or process call; client/ includes nothing from daemon/; adapters are in sup::win; no file of daemon/ or common/ is over $max_lines lines"
