// Builds a worker's environment: the service's own, with the worker's KEY=VALUE entries on top.
// Names compare case-insensitively, as Windows environment names do. Portable.
#pragma once

#include <string>
#include <vector>

namespace sup {

// `base` and `overrides` hold KEY=VALUE entries; an override replaces a base entry of the same
// name (ignoring case) and keeps the override's spelling. Entries without '=' are ignored, except
// Windows' hidden per-drive entries ("=C:=C:\\dir"), which are kept as they are. The result is
// sorted by name, ignoring case, as CreateProcess expects of an environment block.
std::vector<std::string> MergeEnvironment(const std::vector<std::string>& base,
                                          const std::vector<std::string>& overrides);

}  // namespace sup
