// sup's release and the commit it was built from. The version is the one in the top
// CMakeLists.txt (a packaging build may give another: scripts/package.sh --version); both come
// from a file generated at each build (cmake/write_build_info.cmake), so a new commit or version
// recompiles that file alone.
#pragma once

#include <string>
#include <string_view>

namespace sup {

std::string_view SupVersion();  // "0.1.0"
std::string_view SupCommit();   // "3f2a9c1d0b4e"; empty when not built from a git checkout

// "0.1.0 (commit 3f2a9c1d0b4e)", or "0.1.0" without a commit: what --version prints.
inline std::string SupVersionWithCommit() {
  std::string text(SupVersion());
  if (!SupCommit().empty()) text += " (commit " + std::string(SupCommit()) + ")";
  return text;
}

}  // namespace sup
