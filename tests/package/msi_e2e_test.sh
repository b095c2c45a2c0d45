#!/usr/bin/env bash
# PackageE2eTest.InstallUpgradeUninstallWithMsiexec: the MSI as an admin uses it, with Wine's own
# msiexec in a throwaway prefix (its own wineserver, killed at the end):
#   a bad CONFIG_FILE fails the install with supctl's message in the install log, and leaves
#   nothing behind; so does a file squatting supd's ProgramData folder;
#   CONFIG_FILE as an attacker gives it: beginning with '-', a network path, a file everyone may
#   write: each fails the install, naming why, and imports nothing;
#   a silent install with CONFIG_FILE leaves supd RUNNING and answering, its worker up, the folder
#   on the system PATH;
#   a repair (msiexec /fa, and REINSTALL=ALL), which Windows may let a standard user start, with a
#   CONFIG_FILE of their own imports nothing; a '|' in CONFIG_FILE adds no supctl argument;
#   an upgrade to a newer version (built here with scripts/package.sh --version) keeps the
#   configuration and a worker an operator stopped, and supctl reports the new version;
#   the older package over the newer one is refused, and so is the same version packaged anew;
#   uninstall removes the service, the files and the PATH entry and keeps the configuration;
#   a relative CONFIG_FILE is taken from the MSI's folder;
#   REMOVE_CONFIG=1 removes the configuration and supd's ProgramData folder too.
# What only real Windows Installer and SCM show: the failure actions taking effect (Wine's SCM
# drops them; the MSI's rows are checked by PackageTest.MsiTables) and the downgrade message shown
# to a user (Wine's msiexec logs no text for a failed launch condition; the exit code says it).
# Usage: msi_e2e_test.sh REPO PREFIX
set -uo pipefail
repo=$1
prefix=$2
cd "$repo"
version=$(sed -n 's/^project(sup VERSION \([0-9.]*\) .*/\1/p' CMakeLists.txt)
IFS=. read -r major minor patch <<<"$version"
next=$major.$minor.$((patch + 1))
scripts/package.sh >/dev/null || { echo "FAIL: scripts/package.sh"; exit 1; }
scripts/package.sh --version "$next" >/dev/null || { echo "FAIL: scripts/package.sh --version $next"; exit 1; }
old_msi=$(winepath -w "$repo/build/package/sup-$version-x64.msi" 2>/dev/null || echo "Z:$repo/build/package/sup-$version-x64.msi" | tr / '\\')
new_msi=${old_msi/sup-$version-x64/sup-$next-x64}

export WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
rm -rf "$prefix"
scripts/wine-session.sh start "$prefix" >/dev/null 2>&1 || { echo "FAIL: no Wine session"; exit 1; }
trap 'scripts/wine-session.sh stop "$prefix" >/dev/null 2>&1; rm -rf "$prefix"' EXIT

failed=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failed=1; }
# msiexec's exit status (Wine keeps its low 8 bits: 1603 shows as 67) and how long it took.
msiexec() {
  local started=$(date +%s%N)
  wine msiexec "$@" /qn </dev/null >/dev/null 2>&1
  local status=$?
  took_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  return $status
}
supctl() { wine 'C:\Program Files\Sup\supctl.exe' "$@" </dev/null 2>&1 | tr -d '\r'; }
key_exists() { wine reg query "$1" </dev/null >/dev/null 2>&1; }
path_value() { wine reg query 'HKLM\System\CurrentControlSet\Control\Session Manager\Environment' /v PATH </dev/null 2>/dev/null | tr -d '\r'; }
# write_reg FILE LINE...: a .reg file as regedit writes it (UTF-16LE with a BOM, CRLF lines).
write_reg() {
  local file=$1
  shift
  { printf 'Windows Registry Editor Version 5.00\r\n\r\n'; printf '%s\r\n' "$@"; } |
    iconv -t UTF-16LE | { printf '\xff\xfe'; cat; } >"$file"
}
# install_log NAME: the log an msiexec call wrote with /l*v C:\configs\NAME, without CRs.
install_log() { tr -d '\r' <"$configs/$1" 2>/dev/null; }
installed_dir="$prefix/drive_c/Program Files/Sup"
service_key='HKLM\SYSTEM\CurrentControlSet\Services\supd'
# Waits up to 20 s for `supctl status` to show NEEDLE.
wait_for_status() {
  local deadline=$(( $(date +%s) + 20 ))
  local shown
  while [ "$(date +%s)" -lt "$deadline" ]; do
    shown=$(supctl status)  # (exits 3 while a worker is not running: not a pipeline's status)
    grep -qE "$1" <<<"$shown" && return 0
    sleep 0.2
  done
  return 1
}

configs="$prefix/drive_c/configs"
mkdir -p "$configs"
worker_command='"Command"="\"C:\\Program Files\\Sup\\examples\\testworker.exe\" --print-every 1000 --ignore-stop"'
write_reg "$configs/bad.reg" '[HKEY_LOCAL_MACHINE\SOFTWARE\Sup\Workers\bad]' '"Restart"="sometimes"'
# ticker ignores Ctrl+C: each stop of it (an operator's, supd's own) takes its StopTimeoutMs, 3 s.
write_reg "$configs/ticker.reg" '[HKEY_LOCAL_MACHINE\SOFTWARE\Sup\Workers\ticker]' "$worker_command" \
  '"StartSeconds"=dword:00000000' '"StopTimeoutMs"=dword:00000bb8'

# 1. A bad CONFIG_FILE fails the install with supctl's message and rolls everything back.
if msiexec /i "$old_msi" 'CONFIG_FILE=C:\configs\bad.reg' /l*v 'C:\configs\bad-install.log'; then
  fail "a bad CONFIG_FILE was installed"
else ok "a bad CONFIG_FILE fails the install (status $?)"; fi
log=$(install_log bad-install.log)
grep -qF 'supctl.exe" config import C:\configs\bad.reg failed (exit code 2):' <<<"$log" &&
  grep -qF 'Workers\bad\Restart: expected a REG_SZ, one of always, on-failure, never, found REG_SZ "sometimes"' <<<"$log" &&
  ok "the install log has supctl's message" ||
  fail "the install log lacks supctl's message: $(grep -n 'sup:' <<<"$log")"
[ ! -e "$installed_dir" ] && ok "no files left" || fail "files left in Program Files\\Sup"
key_exists "$service_key" && fail "the service was left registered" || ok "no service left"
key_exists 'HKLM\SOFTWARE\Sup' && fail "a configuration key was left" || ok "no configuration key"
key_exists 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\supd' &&
  fail "the event log source was left" || ok "no event log source"
grep -q 'Sup' <<<"$(path_value)" && fail "a PATH entry was left: $(path_value)" || ok "no PATH entry"

# 1b. A file where supd's folder belongs (C:\ProgramData\Sup made first by someone else; on
# Windows also a folder another user owns, which Wine cannot show: everything runs as one user
# there): the install fails naming it, not with "the service did not start".
touch "$prefix/drive_c/ProgramData/Sup"
if msiexec /i "$old_msi" /l*v 'C:\configs\squatted-install.log'; then fail "installed over a squatted ProgramData\\Sup"
else ok "a squatted ProgramData\\Sup fails the install (status $?)"; fi
grep -qF "supd's folder: C:\ProgramData\Sup is a file, not a folder" <<<"$(install_log squatted-install.log)" &&
  ok "the install log names it" ||
  fail "the install log does not name the squatted folder: $(install_log squatted-install.log | grep -A2 '^sup:')"
[ ! -e "$installed_dir" ] && ok "no files left" || fail "files left in Program Files\\Sup"
rm -f "$prefix/drive_c/ProgramData/Sup"

# 1c. CONFIG_FILE as an attacker would give it: each fails the install naming why, imports nothing.
# A file everyone may change (o+w: Wine shows it as Everyone holding write rights; on Windows,
# say, Authenticated Users inheriting Modify in a folder made in C:\).
write_reg "$configs/evil.reg" '[HKEY_LOCAL_MACHINE\SOFTWARE\Sup\Workers\evil]' "$worker_command"
chmod 666 "$configs/evil.reg"
refused_install() {  # refused_install NAME CONFIG_FILE EXPECTED-TEXT
  if msiexec /i "$old_msi" "CONFIG_FILE=$2" /l*v "C:\\configs\\$1.log"; then
    fail "CONFIG_FILE=$2 was installed"
  elif grep -qF -- "$3" <<<"$(install_log "$1.log")"; then
    ok "CONFIG_FILE=$2 fails the install, saying: $3"
  else
    fail "CONFIG_FILE=$2: the install log does not say '$3': $(install_log "$1.log" | grep -A2 '^sup:')"
  fi
  key_exists 'HKLM\SOFTWARE\Sup\Workers\evil' && fail "CONFIG_FILE=$2 imported the worker evil"
  [ ! -e "$installed_dir" ] || fail "CONFIG_FILE=$2 left files in Program Files\\Sup"
}
refused_install everyone-writes 'C:\configs\evil.reg' \
  'refusing C:\configs\evil.reg: Everyone (S-1-1-0) may change it'
refused_install option '--replace' "CONFIG_FILE=--replace is refused: it begins with '-'"
refused_install unc '\\attacker\share\evil.reg' \
  'CONFIG_FILE=\\attacker\share\evil.reg is refused: it is a network or device path'
chmod 644 "$configs/evil.reg"

# 2. A silent install with a configuration, from a folder whose name has spaces (as "My
# Documents" would).
mkdir -p "$configs/my configs"
cp "$configs/ticker.reg" "$configs/my configs/ticker.reg"
if msiexec /i "$old_msi" 'CONFIG_FILE=C:\configs\my configs\ticker.reg' /l*v 'C:\configs\install.log'; then
  ok "installed $version in ${took_ms} ms"
else fail "install of $version failed (status $?)"; fi
log=$(install_log install.log)
grep -qF 'imported 1 workers from C:\configs\my configs\ticker.reg' <<<"$log" &&
  grep -qF 'supd: event log source supd registered' <<<"$log" &&
  grep -qF "supd's folder C:\ProgramData\Sup: only SYSTEM and Administrators may change it" <<<"$log" &&
  ok "the install log has what supctl printed" ||
  fail "the install log lacks supctl's output: $(grep -n 'sup:' <<<"$log")"
# The failure actions also for an exit with an error code (SelfRestart): the MSI's table cannot set
# that flag, `service prepare` does; Wine's SCM refuses the level, which the line then says.
grep -qE 'supd: failure actions (also on exits with an error code|on non-crash failures: not supported by this system)' <<<"$log" &&
  ok "service prepare set the failure actions for exits with an error code" ||
  fail "the install log does not show the failure-actions flag: $(grep -n 'supd:' <<<"$log")"
status=$(supctl service status)
grep -q "supd: RUNNING" <<<"$status" && grep -q "health SERVING" <<<"$status" &&
  ok "supd runs and answers" || fail "supd is not running and answering: $status"
grep -q '"C:\\Program Files\\Sup\\supd.exe"' <<<"$status" && ok "its program path is quoted" ||
  fail "its program path is not quoted: $status"
wait_for_status '^ticker +RUNNING' && ok "CONFIG_FILE's worker runs" || fail "CONFIG_FILE's worker does not run: $(supctl status)"
grep -q 'C:\\Program Files\\Sup' <<<"$(path_value)" && ok "the folder is on the system PATH" ||
  fail "the folder is not on the system PATH: $(path_value)"
key_exists 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\supd' &&
  ok "the event log source is registered" || fail "no event log source"

# 2b. A repair with a CONFIG_FILE of the repairer's: Windows Installer may let a standard user
# start one (without the repair prompts of 2024-2025), and a file of theirs would have run as
# SYSTEM. Nothing is imported, whether the repair succeeds or not. (Wine's msiexec answers /fa
# with a package path 1605, running nothing; REINSTALL=ALL is the repair it runs, and the one
# that imported the file before.)
cp "$repo/build/package/sup-$version-x64.msi" "$configs/installed-$version.msi"
msiexec /fa 'C:\configs\installed-'"$version"'.msi' 'CONFIG_FILE=C:\configs\evil.reg'
repair_status=$?
msiexec /i 'C:\configs\installed-'"$version"'.msi' REINSTALL=ALL REINSTALLMODE=vomus \
  'CONFIG_FILE=C:\configs\evil.reg'
reinstall_status=$?
key_exists 'HKLM\SOFTWARE\Sup\Workers\evil' &&
  fail "a repair imported its CONFIG_FILE (statuses $repair_status, $reinstall_status)" ||
  ok "a repair with a CONFIG_FILE imports nothing (statuses $repair_status, $reinstall_status)"
# The reinstall stops supd and waits for its stop (ticker's takes 3 s: the package's StopSupd
# action; Wine's StopServices does not wait, and its StartServices then met a service still
# STOP_PENDING and failed, 1627), then starts it again: supd runs without help.
[ "$reinstall_status" = 0 ] && ok "the reinstall succeeded" || fail "the reinstall failed (status $reinstall_status)"
wait_for_status '^ticker +RUNNING' && ok "and the installed worker still runs" ||
  fail "after the repairs: $(supctl status) / $(supctl service status)"

# 3. An operator stops the worker; 4. the upgrade, started while that stop still runs (3 s), keeps
# the stop and the configuration: the new package stops the old supd and waits for it before the
# old version goes (it failed with 1627 before, reproduced 2 of 2), and a new supd that still
# meets the old one's lock waits for it (DaemonTest.ASupdStartingWhileTheOldOneStopsWaitsForIt).
supctl stop ticker >/dev/null
if msiexec /i "$new_msi" /l*v 'C:\configs\upgrade.log'; then ok "upgraded to $next in ${took_ms} ms"; else fail "upgrade to $next failed (status $?)"; fi
grep -qE '^sup: supd stopped in [0-9]+ ms' <<<"$(install_log upgrade.log)" &&
  ok "the upgrade stopped supd and waited for it: $(grep -oE 'supd stopped in [0-9]+ ms' <<<"$(install_log upgrade.log)")" ||
  fail "the upgrade log does not say supd was stopped: $(grep -n 'sup:' <<<"$(install_log upgrade.log)")"
versions=$(supctl version)
grep -q "^supctl $next" <<<"$versions" && grep -q "^supd $next" <<<"$versions" &&
  ok "supctl version reports $next on both sides" || fail "after the upgrade: $versions"
wait_for_status '^ticker +STOPPED .*stopped by operator' && ok "the stopped worker stays stopped" ||
  fail "the operator's stop was lost: $(supctl status)"

# 4b. An upgrade that fails (its CONFIG_FILE is refused) fails the install, saying why, imports
# nothing and keeps the configuration and the operator's stop. On Windows the whole upgrade is one
# transaction (RemoveExistingProducts after InstallInitialize) and the old version comes back;
# Wine's msiexec does not roll back a RemoveExistingProducts, so here the old version is gone and
# is installed again to go on.
failing=$major.$minor.$((patch + 2))
scripts/package.sh --version "$failing" >/dev/null || fail "packaging $failing"
failing_msi=${old_msi/sup-$version-x64/sup-$failing-x64}
if msiexec /i "$failing_msi" 'CONFIG_FILE=C:\configs\bad.reg' /l*v 'C:\configs\failing.log'; then
  fail "an upgrade to $failing with a bad CONFIG_FILE succeeded"
else ok "an upgrade to $failing with a bad CONFIG_FILE fails (status $?)"; fi
grep -qF 'Restart' <<<"$(install_log failing.log)" && ok "its log names what was wrong" ||
  fail "the failed upgrade's log does not say why: $(grep -n 'sup:' <<<"$(install_log failing.log)")"
key_exists 'HKLM\SOFTWARE\Sup\Workers\bad' && fail "the failed upgrade imported its CONFIG_FILE" ||
  ok "it imported nothing"
key_exists 'HKLM\SOFTWARE\Sup\Workers\ticker' && key_exists 'HKLM\SOFTWARE\Sup\State' &&
  ok "the configuration and the operator's stop stay" || fail "the failed upgrade lost the configuration"
if ! grep -q "^supd $next" <<<"$(supctl version)"; then
  msiexec /i "$new_msi" >/dev/null || fail "installing $next again after the failed upgrade"
fi
wait_for_status '^ticker +STOPPED .*stopped by operator' && ok "$next runs, the worker still stopped" ||
  fail "after the failed upgrade: $(supctl status)"

# 5. The older package over the newer one.
if msiexec /i "$old_msi"; then fail "$version was installed over $next"
else ok "$version over $next is refused (status $?)"; fi
grep -q "^supd $next" <<<"$(supctl version)" && ok "$next still runs" || fail "after the refused downgrade: $(supctl version)"
# The same version, packaged again (a new product code, as a rebuild has): refused as well. The
# installed package is kept aside for the uninstall below.
cp "$repo/build/package/sup-$next-x64.msi" "$configs/installed.msi"
scripts/package.sh --version "$next" >/dev/null || fail "repackaging $next"
if msiexec /i "$new_msi"; then fail "$next was installed a second time beside itself"
else ok "$next again, packaged anew, is refused (status $?)"; fi
new_msi='C:\configs\installed.msi'

# 6. Uninstall keeps the configuration. (Wine's StopServices does not wait for supd to stop, so
# its RemoveFiles may find supd.exe still running and leave it; Windows Installer waits. supd is
# stopped first here, and its process waited for: 1 clean run in 4 left the folder otherwise.)
supctl service stop >/dev/null
deadline=$(( $(date +%s) + 20 ))
# (A Wine process's command line holds its Windows program path.)
while grep -qla 'Sup.supd\.exe' /proc/[0-9]*/cmdline 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do
  sleep 0.1
done
if msiexec /x "$new_msi"; then ok "uninstalled in ${took_ms} ms"; else fail "uninstall failed (status $?)"; fi
[ ! -e "$installed_dir" ] && ok "the files are gone" || fail "files left in Program Files\\Sup"
key_exists "$service_key" && fail "the service is still registered" || ok "the service is gone"
grep -q 'Sup' <<<"$(path_value)" && fail "the PATH entry stayed: $(path_value)" || ok "the PATH entry is gone"
key_exists 'HKLM\SOFTWARE\Sup\Workers\ticker' && ok "the configuration stays" || fail "the configuration went"

# 6b. '|' in CONFIG_FILE stays inside its one argument: "ticker.reg|--replace" used to reach
# supctl as `config import C:\configs\ticker.reg --replace`, wiping what was configured. Now it
# is a file of that name, which does not exist: the install fails and the configuration stays.
if msiexec /i "$new_msi" 'CONFIG_FILE=C:\configs\ticker.reg|--replace' /l*v 'C:\configs\bar.log'; then
  fail "CONFIG_FILE with a '|' was installed"
else ok "CONFIG_FILE=...ticker.reg|--replace fails the install (status $?)"; fi
grep -qF 'cannot read C:\configs\ticker.reg|--replace: ' <<<"$(install_log bar.log)" &&
  ok "as one argument, a file that does not exist" ||
  fail "the install log does not show one argument: $(install_log bar.log | grep -A2 '^sup:')"
key_exists 'HKLM\SOFTWARE\Sup\Workers\ticker' && ok "the configuration stays" ||
  fail "the configuration was replaced"

# 7. A reinstall with a relative CONFIG_FILE, taken from the MSI's folder (C:\configs here); then
# REMOVE_CONFIG=1 takes the configuration and the logs too.
write_reg "$configs/second.reg" '[HKEY_LOCAL_MACHINE\SOFTWARE\Sup\Workers\second]' "$worker_command"
msiexec /i "$new_msi" CONFIG_FILE=second.reg || fail "reinstall with CONFIG_FILE=second.reg failed (status $?)"
wait_for_status '^second +RUNNING' && ok "a relative CONFIG_FILE is read from the MSI's folder" ||
  fail "CONFIG_FILE=second.reg did not bring its worker up: $(supctl status)"
if msiexec /x "$new_msi" REMOVE_CONFIG=1 /l*v 'C:\configs\uninstall.log'; then ok "uninstalled with REMOVE_CONFIG=1 in ${took_ms} ms"
else fail "uninstall with REMOVE_CONFIG=1 failed (status $?): $(install_log uninstall.log | grep -A3 '^sup:')"; fi
key_exists 'HKLM\SOFTWARE\Sup' && fail "the configuration stayed" || ok "the configuration is gone"
# supd's folder is the ProgramData known folder's Sup. (Under Wine a service's %ProgramData% is
# C:\users\Public, where its default LogDirectory then lies, while the installer's is not: that
# copy stays here, which on Windows, with one ProgramData, cannot happen.)
[ ! -e "$prefix/drive_c/ProgramData/Sup" ] && ok "supd's ProgramData folder is gone" ||
  fail "left: C:\ProgramData\Sup"
exit $failed
