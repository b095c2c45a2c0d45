#!/usr/bin/env bash
# Fails if a C++ file of the project is not in the house style (.clang-format). To fix:
#   scripts/check-format.sh --fix
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
mapfile -t files < <(git ls-files '*.cc' '*.h' 2>/dev/null || find common daemon client tests bench -name '*.cc' -o -name '*.h')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  echo "formatted ${#files[@]} files"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}"; then
  echo "not in the house style: run scripts/check-format.sh --fix" >&2
  exit 1
fi
echo "${#files[@]} files in the house style"
