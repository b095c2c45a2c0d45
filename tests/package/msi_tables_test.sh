#!/usr/bin/env bash
# PackageTest.MsiTables: builds the packages (scripts/package.sh) and reads back, with msiinfo,
# the rows Windows Installer acts on: the files and where they go, the 64-bit components, the
# service and its control, its failure actions, the PATH entry, the custom action DLL, the custom
# actions and their place in the sequence, the upgrade rows and launch conditions, the public
# properties; then the zip's contents and SHA256SUMS. Each check prints ok/FAIL with what it looked for.
# Usage: msi_tables_test.sh REPO
set -uo pipefail
repo=$1
"$repo/scripts/package.sh" >/dev/null || { echo "FAIL: scripts/package.sh failed"; exit 1; }
version=$(sed -n 's/^project(sup VERSION \([0-9.]*\) .*/\1/p' "$repo/CMakeLists.txt")
out=$repo/build/package
msi=$out/sup-$version-x64.msi
zip=$out/sup-$version-x64.zip
failed=0
# msiinfo export writes a table's binary streams (the custom action DLL) to files in the current
# folder: a scratch one.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
# expect TABLE REGEX WHAT: some row of TABLE (tab-separated, as exported) matches REGEX.
expect() {
  # (Read whole before grep: grep -q stopping early would fail the pipeline under pipefail.)
  if grep -qP -- "$2" <<<"$(msiinfo export "$msi" "$1" 2>/dev/null | tr -d '\r')"; then
    echo "ok: $3"
  else
    echo "FAIL: $3 ($1 has no row matching /$2/)"; failed=1
  fi
}
T=$'\t'
expect File "^supd\.exe${T}Supd${T}supd\.exe${T}" "supd.exe is installed by the Supd component"
expect File "^supctl\.exe${T}Supctl${T}supctl\.exe${T}" "supctl.exe is installed"
expect File "^testworker\.exe${T}Examples${T}" "the example's worker is installed"
expect File "^example\.reg${T}Examples${T}" "the example configuration is installed"
expect File "^security\.md${T}Docs${T}" "the docs are installed"
expect File "^sup_notify\.h${T}Sdk${T}" "the notify client header is installed"
expect Directory "^INSTALLFOLDER${T}ProgramFiles64Folder${T}Sup$" "into Program Files\\Sup (64-bit)"
expect Component "^Supd${T}\{[0-9A-F-]+\}${T}INSTALLFOLDER${T}256${T}" "components are 64-bit (256)"
expect ServiceInstall "^SupdService${T}supd${T}sup process supervisor${T}16${T}2${T}1${T}" \
  "supd is an own-process service started automatically"
expect ServiceInstall "${T}LocalSystem${T}.*${T}Supd${T}Runs, restarts" "as LocalSystem, with its description"
# 163 = start at install (1) + stop at install (2) and uninstall (32) + delete at uninstall (128)
expect ServiceControl "^SupdControl${T}supd${T}163${T}${T}1${T}Supd$" \
  "started at install, stopped at upgrade and uninstall, deleted at uninstall"
expect MsiServiceConfigFailureActions "^SupdRestarts${T}supd${T}1${T}86400${T}${T}${T}1\[~\]1\[~\]1${T}5000\[~\]5000\[~\]60000${T}Supd$" \
  "failure actions: restart after 5 s, 5 s, 60 s, reset after a day"
expect Environment "^SupOnPath${T}=-\*PATH${T}\[~\];\[INSTALLFOLDER\]${T}" \
  "the install folder is appended to the system PATH, and removed at uninstall"
expect InstallExecuteSequence "^WriteEnvironmentStrings${T}${T}5200$" "PATH written at install"
expect InstallExecuteSequence "^RemoveEnvironmentStrings${T}${T}3300$" "PATH removed at uninstall"
expect InstallExecuteSequence "^MsiConfigureServices${T}VersionNT >= 600${T}5810$" "failure actions applied"
expect InstallExecuteSequence "^RemoveExistingProducts${T}${T}1501$" \
  "an older version goes before the new one installs, in its transaction (a failure brings it back)"
# 1 = a DLL function, immediate; supd stopped and its stop waited for, before anything of it goes.
expect CustomAction "^StopSupd${T}1${T}SupMsiActions${T}StopSupd" "supd is stopped through the DLL's StopSupd"
expect InstallExecuteSequence "^StopSupd${T}WIX_UPGRADE_DETECTED OR Installed${T}1401$" \
  "and waited for, at an upgrade, repair or uninstall, before the old version is removed"
# Each supctl command runs through the DLL's RunSupctl (1 + deferred 1024 + as SYSTEM 2048), its
# command line set by a type-51 action into the property of the deferred action's name.
expect Binary "^SupMsiActions${T}" "the custom action DLL is in the Binary table"
msiinfo export "$msi" Binary >/dev/null 2>&1
exports=$(x86_64-w64-mingw32-objdump -p Binary/Binary.SupMsiActions 2>/dev/null)
if grep -qE '\] RunSupctl$' <<<"$exports" && grep -qE '\] ImportConfigFile$' <<<"$exports" &&
   grep -qE '\] StopSupd$' <<<"$exports"; then
  echo "ok: it is a DLL exporting RunSupctl, ImportConfigFile and StopSupd"
else
  echo "FAIL: the Binary table's SupMsiActions is not a DLL exporting RunSupctl, ImportConfigFile and StopSupd"; failed=1
fi
expect CustomAction "^PrepareService${T}3073${T}SupMsiActions${T}RunSupctl" \
  "service prepare runs deferred as SYSTEM through RunSupctl, its failure failing the install"
expect CustomAction "^SetPrepareServiceCommand${T}[0-9]+${T}PrepareService${T}\[#supctl\.exe\]\|service\|prepare${T}" \
  "its command line: supctl service prepare"
expect InstallExecuteSequence "^SetPrepareServiceCommand${T}NOT REMOVE${T}5829$" "its command line set first"
expect InstallExecuteSequence "^PrepareService${T}NOT REMOVE${T}5830$" "prepare after InstallServices"
expect CustomAction "^ImportConfig${T}3073${T}SupMsiActions${T}ImportConfigFile" \
  "CONFIG_FILE is imported through ImportConfigFile, which makes it one argument or refuses it"
expect CustomAction "^SetImportConfigCommand${T}[0-9]+${T}ImportConfig${T}\[#supctl\.exe\]\|\[SourceDir\]\|\[CONFIG_FILE\]${T}" \
  "its data: supctl, the MSI's folder (for a relative path), CONFIG_FILE last"
first_install='CONFIG_FILE AND NOT Installed AND NOT REMOVE'
expect InstallExecuteSequence "^SetImportConfigCommand${T}${first_install}${T}5789$" \
  "its data set first, only at a first install or a major upgrade"
expect InstallExecuteSequence "^ResolveSource${T}${first_install}${T}850$" "SourceDir known after CostInitialize"
expect InstallExecuteSequence "^ImportConfig${T}${first_install}${T}5790$" \
  "the import before the service is registered, only when CONFIG_FILE is given, never at a repair"
if grep -q SetImportRelativeConfigCommand <<<"$(msiinfo export "$msi" CustomAction 2>/dev/null)"; then
  echo "FAIL: a second import command line is left"; failed=1
else echo "ok: one import command line"; fi
expect CustomAction "^RemoveConfig${T}3073${T}SupMsiActions${T}RunSupctl" "REMOVE_CONFIG runs through RunSupctl"
expect CustomAction "^SetRemoveConfigCommand${T}[0-9]+${T}RemoveConfig${T}\[#supctl\.exe\]\|config\|delete\|--yes\|--logs${T}" \
  "supctl config delete, the configuration and supd's folder"
for action in SetRemoveConfigCommand:3399 RemoveConfig:3400; do
  expect InstallExecuteSequence "^${action%:*}${T}REMOVE=\"ALL\" AND REMOVE_CONFIG=\"1\" AND NOT UPGRADINGPRODUCTCODE${T}${action#*:}$" \
    "${action%:*} only at a real uninstall with REMOVE_CONFIG=1, before the files go"
done
expect Upgrade "${T}${T}${version//./\\.}${T}${T}1${T}${T}WIX_UPGRADE_DETECTED$" "older versions are upgraded"
expect Upgrade "${T}${version//./\\.}${T}${T}${T}2${T}${T}WIX_DOWNGRADE_DETECTED$" "newer versions are detected"
expect Upgrade "${T}${version//./\\.}${T}${version//./\\.}${T}${T}770${T}${T}SAME_VERSION_DETECTED$" \
  "the same version (both bounds included) is detected"
expect LaunchCondition "^NOT WIX_DOWNGRADE_DETECTED${T}A newer version of sup is already installed" \
  "a downgrade is refused with a message"
expect LaunchCondition "^NOT SAME_VERSION_DETECTED OR Installed${T}This version of sup" \
  "the same version again is refused with a message"
expect Property "^SecureCustomProperties${T}WIX_UPGRADE_DETECTED;WIX_DOWNGRADE_DETECTED;SAME_VERSION_DETECTED$" \
  "only the upgrade detections are secure: a standard user's CONFIG_FILE or REMOVE_CONFIG never reaches the server side"
expect Property "^ProductVersion${T}${version//./\\.}$" "the product version is the project's"
expect Property "^UpgradeCode${T}\{6F0B8F4C-2D7E-4C54-9B7A-5C3B1E0A9D11\}$" "one upgrade code for every version"
expect Property "^ALLUSERS${T}1$" "per-machine"

listing=$(unzip -Z1 "$zip")
for file in supd.exe supctl.exe README.md CONFIGURATION.md docs/operations.md examples/example.reg examples/testworker.exe sdk/sup_notify.h; do
  if grep -qx "sup-$version-x64/$file" <<<"$listing"; then echo "ok: the zip holds $file"
  else echo "FAIL: the zip has no sup-$version-x64/$file"; failed=1; fi
done
if (cd "$out" && grep -E " sup-$version-x64\.(msi|zip)$" SHA256SUMS | sha256sum --quiet -c -); then
  echo "ok: SHA256SUMS matches the msi and the zip"
else
  echo "FAIL: SHA256SUMS does not match"; failed=1
fi
exit $failed
