#include "daemon/core/config_diff.h"

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

}  // namespace sup::core
