#!/usr/bin/env bash
# Regenerates the reference tables in config/README.md from the schema (common/config/config_schema.cc).
# Run after changing the schema; the unit test SchemaDocTest fails until the two agree.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cmake --build --preset linux --target sup-schema-doc >/dev/null
generated=$("$repo/build/linux/bin/sup-schema-doc")
python3 - "$repo/config/README.md" "$generated" <<'PY'
import sys
path, generated = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
begin, end = "<!-- schema:begin -->\n", "<!-- schema:end -->"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(path, "w", encoding="utf-8").write(head + begin + generated + "\n" + end + tail)
PY
echo "config/README.md updated"
