#!/usr/bin/env bash
# Adds to a package wixl built from packaging/sup.wxs what Debian's wixl 0.101 cannot write:
#  - the install folder on the system PATH (Environment table, and the actions that write and
#    remove it), removed again at uninstall;
#  - supd's failure actions, as `supctl service install` sets them: restart after 5 s, 5 s, then
#    60 s, the count reset after a day (MsiServiceConfigFailureActions, MsiConfigureServices);
#  - the upgrade detections, passed from the client to the server side (SecureCustomProperties);
#    CONFIG_FILE and REMOVE_CONFIG are not among them: only an administrator's values of those
#    reach the server side, never a standard user's (at a repair, which a standard user may start);
#  - the same-version detection including its upper bound (wixl drops IncludeMaximum);
#  - the old version removed before the new one installs, in the same transaction so that a
#    failed upgrade brings it back (RemoveExistingProducts right after InstallInitialize, after
#    the StopSupd action: wixl does not always honour MajorUpgrade's Schedule);
#  - ResolveSource, so that SourceDir is known to a relative CONFIG_FILE.
# Usage: packaging/complete-msi.sh PACKAGE.msi
set -euo pipefail
msi=$1
tables=$(mktemp -d)
trap 'rm -rf "$tables"' EXIT

# .idt files: column names, column types, table name and key, then rows; tab-separated.
printf '%s\t%s\t%s\t%s\r\n' Environment Name Value Component_ >"$tables/Environment.idt"
printf '%s\t%s\t%s\t%s\r\n' s72 l255 L255 s72 >>"$tables/Environment.idt"
printf '%s\t%s\r\n' Environment Environment >>"$tables/Environment.idt"
# "=-*PATH": set at install, removed at uninstall, the system's (not the user's) PATH; "[~];"
# appends to what is there.
printf '%s\t%s\t%s\t%s\r\n' SupOnPath '=-*PATH' '[~];[INSTALLFOLDER]' Supctl >>"$tables/Environment.idt"

printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\r\n' MsiServiceConfigFailureActions Name Event \
  ResetPeriod RebootMessage Command Actions DelayActions Component_ >"$tables/Failure.idt"
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\r\n' s72 s255 i4 I4 L255 L255 S80 S80 s72 >>"$tables/Failure.idt"
printf '%s\t%s\r\n' MsiServiceConfigFailureActions MsiServiceConfigFailureActions >>"$tables/Failure.idt"
# Event 1: at install. Actions 1 = SC_ACTION_RESTART; delays in milliseconds.
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\r\n' SupdRestarts supd 1 86400 '' '' \
  '1[~]1[~]1' '5000[~]5000[~]60000' Supd >>"$tables/Failure.idt"

msibuild "$msi" -i "$tables/Environment.idt"
msibuild "$msi" -i "$tables/Failure.idt"
msibuild "$msi" -q "INSERT INTO InstallExecuteSequence (Action, Condition, Sequence) VALUES ('RemoveEnvironmentStrings', '', 3300)"
msibuild "$msi" -q "INSERT INTO InstallExecuteSequence (Action, Condition, Sequence) VALUES ('WriteEnvironmentStrings', '', 5200)"
msibuild "$msi" -q "INSERT INTO InstallExecuteSequence (Action, Condition, Sequence) VALUES ('MsiConfigureServices', 'VersionNT >= 600', 5810)"
msibuild "$msi" -q "UPDATE InstallExecuteSequence SET Sequence = 1501 WHERE Action = 'RemoveExistingProducts'"
# SourceDir (the MSI's folder), which a relative CONFIG_FILE is taken from, is only known after
# ResolveSource; not at uninstall, when the source may be gone.
msibuild "$msi" -q "INSERT INTO InstallExecuteSequence (Action, Condition, Sequence) VALUES ('ResolveSource', 'CONFIG_FILE AND NOT Installed AND NOT REMOVE', 850)"
# Rows that must change are exported, edited and imported back: msibuild's -q splits queries at
# ';' (which SecureCustomProperties is made of) and cannot update a key column (Attributes is one
# of Upgrade's).
msiinfo export "$msi" Property >"$tables/Property.idt"
sed -i 's/^SecureCustomProperties\t.*$/SecureCustomProperties\tWIX_UPGRADE_DETECTED;WIX_DOWNGRADE_DETECTED;SAME_VERSION_DETECTED\r/' \
  "$tables/Property.idt"
msibuild "$msi" -i "$tables/Property.idt"
msiinfo export "$msi" Upgrade >"$tables/Upgrade.idt"
# 770 = OnlyDetect (2) + VersionMinInclusive (256) + VersionMaxInclusive (512).
sed -i 's/^\(.*\t\)258\(\t\tSAME_VERSION_DETECTED\r\?\)$/\1770\2/' "$tables/Upgrade.idt"
msibuild "$msi" -i "$tables/Upgrade.idt"
