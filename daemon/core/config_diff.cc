#include "daemon/core/config_diff.h"

#include <set>

namespace sup::core {

ConfigDiff DiffConfigs(const std::map<std::string, WorkerConfig>& current, const ValidatedConfig& next) {
  ConfigDiff diff;
  for (const auto& [name, worker] : next.workers) {
    const auto existing = current.find(name);
    if (existing == current.end()) {
      diff.added.push_back(name);
    } else if (existing->second.launch != worker.launch) {
      diff.launch_changed.push_back(name);
    } else if (existing->second.policy != worker.policy) {
      diff.policy_changed.push_back(name);
    } else {
      diff.unchanged.push_back(name);
    }
  }
  for (const auto& [name, errors] : next.invalid_workers) diff.invalid.push_back(name);
  for (const auto& [name, worker] : current) {
    if (!next.workers.contains(name) && !next.invalid_workers.contains(name)) diff.removed.push_back(name);
  }
  return diff;
}

ValidatedConfig RestrictTo(const ValidatedConfig& next, const std::map<std::string, WorkerConfig>& current,
                           const std::vector<std::string>& names, std::vector<std::string>& unknown) {
  const std::set<std::string> named(names.begin(), names.end());
  for (const std::string& name : named) {
    if (!current.contains(name) && !next.workers.contains(name) && !next.invalid_workers.contains(name)) {
      unknown.push_back(name);
    }
  }
  ValidatedConfig restricted;
  restricted.daemon = next.daemon;
  restricted.daemon_errors = next.daemon_errors;
  for (const auto& [name, worker] : next.workers) {
    if (named.contains(name)) restricted.workers.emplace(name, worker);
  }
  for (const auto& [name, errors] : next.invalid_workers) {
    // An unnamed worker that never had a valid definition stays visible with its errors.
    if (named.contains(name) || !current.contains(name)) restricted.invalid_workers.emplace(name, errors);
  }
  for (const auto& [name, worker] : current) {
    if (!named.contains(name)) restricted.workers.emplace(name, worker);
  }
  return restricted;
}

}  // namespace sup::core
