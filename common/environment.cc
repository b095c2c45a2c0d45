#include "common/environment.h"

#include <map>

#include "common/case_insensitive.h"

namespace sup {
namespace {

// The name of an entry; hidden drive entries ("=C:=...") keep their leading '='.
std::string NameOf(const std::string& entry) {
  const std::size_t equals = entry.find('=', entry.starts_with('=') ? 1 : 0);
  return equals == std::string::npos ? std::string() : entry.substr(0, equals);
}

}  // namespace

std::vector<std::string> MergeEnvironment(const std::vector<std::string>& base,
                                          const std::vector<std::string>& overrides) {
  std::map<std::string, std::string, CaseInsensitiveLess> entries;
  for (const std::vector<std::string>* source : {&base, &overrides}) {
    for (const std::string& entry : *source) {
      const std::string name = NameOf(entry);
      if (name.empty()) continue;
      entries.erase(name);
      entries.emplace(name, entry);
    }
  }
  std::vector<std::string> merged;
  merged.reserve(entries.size());
  for (auto& [name, entry] : entries) merged.push_back(std::move(entry));
  return merged;
}

}  // namespace sup
