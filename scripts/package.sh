#!/usr/bin/env bash
# Builds sup's packages from the MinGW build, on Debian, with wixl and msibuild (scripts/bootstrap.sh
# installs them):
#   build/package/sup-<version>-x64.msi   per-machine, 64-bit, for msiexec / GPO / Intune / SCCM
#   build/package/sup-<version>-x64.zip   the same files, for copying by hand
#   build/package/SHA256SUMS
# packaging/README.md says what the MSI does and how it is put together.
#
# Usage: scripts/package.sh [--version X.Y.Z]
#   --version  build the programs and packages under another version (in a build folder of their
#              own, build/package-X.Y.Z, as deep as build/mingw so that ccache finds every
#              object the main build made: only the version source is compiled); tests make an
#              upgrade that way.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
die() { echo "package: $*" >&2; exit 1; }

project_version=$(sed -n 's/^project(sup VERSION \([0-9.]*\) .*/\1/p' CMakeLists.txt)
version=$project_version
while [ $# -gt 0 ]; do
  case $1 in
    --version) [ $# -ge 2 ] || die "--version needs X.Y.Z"; version=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) die "unknown argument \"$1\" (see --help)" ;;
  esac
done
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "version \"$version\" is not MAJOR.MINOR.PATCH"
for tool in wixl msibuild msiinfo zip sha256sum x86_64-w64-mingw32-strip; do
  command -v "$tool" >/dev/null || die "$tool is missing: run scripts/bootstrap.sh (as root) first"
done

export CCACHE_BASEDIR=$repo CCACHE_NOHASHDIR=1
if [ "$version" = "$project_version" ]; then
  build=build/mingw
  [ -f "$build/CMakeCache.txt" ] || cmake --preset mingw >/dev/null
else
  # Another version: the same sources in a folder of their own (ccache makes it a relink).
  build=build/package-$version
  [ -f "$build/CMakeCache.txt" ] ||
    cmake --preset mingw -B "$build" -DSUP_VERSION="$version" >/dev/null
fi
cmake --build "$build" --target supd supctl testworker sup_msi_actions >/dev/null ||
  die "building supd, supctl, testworker and sup_msi_actions in $build failed"

out=build/package
name=sup-$version-x64
stage=$out/stage/$name
rm -rf "$stage"
mkdir -p "$stage/docs" "$stage/examples" "$stage/sdk"
cp "$build/bin/supd.exe" "$build/bin/supctl.exe" "$stage/"
cp README.md "$stage/README.md"
cp config/README.md "$stage/CONFIGURATION.md"
cp docs/architecture.md docs/operations.md docs/performance.md docs/security.md "$stage/docs/"
cp config/example.reg "$build/bin/testworker.exe" "$stage/examples/"
cp sdk/sup_notify.h "$stage/sdk/"

msi=$out/$name.msi
rm -f "$msi"
# The custom action DLL goes into the MSI's Binary table only (not into the zip), which is not
# compressed: without its debug information (750 KB -> 220 KB).
actions=$out/stage/$name-sup_msi_actions.dll
x86_64-w64-mingw32-strip -o "$actions" "$build/bin/sup_msi_actions.dll"
wixl -a x64 -D SupVersion="$version" -D SupStage="$stage" -D SupActions="$actions" -o "$msi" packaging/sup.wxs 2>"$out/wixl.log" ||
  { cat "$out/wixl.log" >&2; die "wixl failed"; }
packaging/complete-msi.sh "$msi"

zip=$out/$name.zip
rm -f "$zip"
(cd "$out/stage" && zip -q -r -X "../$name.zip" "$name")

(cd "$out" && sha256sum "$name.msi" "$name.zip" >SHA256SUMS.new &&
  { grep -v -e " $name.msi\$" -e " $name.zip\$" SHA256SUMS 2>/dev/null || true; cat SHA256SUMS.new; } |
  sort -k2 >SHA256SUMS && rm SHA256SUMS.new)
echo "package: $msi ($(stat -c %s "$msi") bytes), $zip ($(stat -c %s "$zip") bytes), $out/SHA256SUMS"
