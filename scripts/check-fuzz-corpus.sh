#!/usr/bin/env bash
# Fails if the committed seed corpus (tests/fuzz/corpus) is not what tests/fuzz/make-corpus.sh
# writes today: a protocol or schema change must come with seeds that still speak it.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
"$repo/tests/fuzz/make-corpus.sh" "$fresh/corpus" >/dev/null
if ! diff -r "$fresh/corpus" "$repo/tests/fuzz/corpus"; then
  echo "the committed seeds differ from what tests/fuzz/make-corpus.sh writes: run it and commit the result" >&2
  exit 1
fi
echo "the committed seed corpus is what tests/fuzz/make-corpus.sh writes ($(find "$fresh/corpus" -type f | wc -l) seeds)"
