// What a reload changes: the workers a new configuration adds, removes, must restart (launch
// settings changed) or can update live (policy only). Pure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/config/config_model.h"
#include "common/config/dependency_graph.h"

namespace sup::config {

struct ConfigDiff {
  std::vector<std::string> added;
  std::vector<std::string> removed;
  std::vector<std::string> launch_changed;  // restart with the new definition
  std::vector<std::string> policy_changed;  // apply live, no restart
  std::vector<std::string> unchanged;
  std::vector<std::string> invalid;  // new definition invalid: the worker keeps its last good one
  bool operator==(const ConfigDiff&) const = default;
};

// A worker whose new definition is invalid keeps its last good one, a worker that leaves keeps its
// own until its process is gone, and with the new valid definitions of others these may close a
// dependency cycle no validation of `next` alone can see (b now depends on d, whose new definition
// was rejected and whose old one depends on b). Each new
// definition on such a cycle whose dependencies changed is rejected too, naming the cycle, until
// none is left. `in_force`: every worker's dependencies now, workers on their way out included.
void RejectCyclesThroughKeptDefinitions(ValidatedConfig& next, const DependencyGraph& in_force);

// `current`: the definitions in force now (each worker's last good one).
ConfigDiff DiffConfigs(const std::map<std::string, WorkerConfig>& current,
                       const ValidatedConfig& next);

// `next` as it applies to the workers in `names` only (`supctl update a b`): every other worker
// keeps its definition in force, a new one stays out and a removed one stays in. Names that are
// neither configured now nor in `next` come back in `unknown`.
ValidatedConfig RestrictTo(const ValidatedConfig& next,
                           const std::map<std::string, WorkerConfig>& current,
                           const std::vector<std::string>& names,
                           std::vector<std::string>& unknown);

}  // namespace sup::config
