#include "common/config/config_diff.h"

#include <set>

#include "common/config/dependency_graph.h"

namespace sup::config {

void RejectCyclesThroughKeptDefinitions(ValidatedConfig& next, const DependencyGraph& in_force) {
  while (true) {
    DependencyGraph graph;
    for (const auto& [name, worker] : next.workers) graph[name] = worker.policy.depends_on;
    // Kept: the last good definition of an invalid worker, and the one of a worker that is
    // leaving, in force until its process is gone.
    for (const auto& [name, dependencies] : in_force) graph.try_emplace(name, dependencies);
    const std::vector<std::vector<std::string>> cycles = FindCycles(graph);
    if (cycles.empty()) return;
    for (const std::vector<std::string>& cycle : cycles) {
      std::string path;
      for (const std::string& name : cycle) path += name + " -> ";
      path += cycle.front();
      // The new edges close the cycle: the edges in force had none.
      std::vector<std::string> rejected;
      for (const std::string& name : cycle) {
        const auto worker = next.workers.find(name);
        if (worker == next.workers.end())
          continue;  // a kept definition: that worker's own error stands
        const auto old = in_force.find(name);
        if (old == in_force.end() || old->second != worker->second.policy.depends_on)
          rejected.push_back(name);
      }
      if (rejected
              .empty()) {  // cannot happen while the definitions in force are acyclic; end anyway
        for (const std::string& name : cycle) {
          if (next.workers.contains(name)) rejected.push_back(name);
        }
      }
      for (const std::string& name : rejected) {
        next.workers.erase(name);
        next.invalid_workers[name].push_back(
            {"Workers\\" + name, "DependsOn", "no dependency cycle",
             "the cycle " + path + ", through a definition kept because its new one is invalid"});
      }
    }
  }
}

ConfigDiff DiffConfigs(const std::map<std::string, WorkerConfig>& current,
                       const ValidatedConfig& next) {
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
    if (!next.workers.contains(name) && !next.invalid_workers.contains(name))
      diff.removed.push_back(name);
  }
  return diff;
}

ValidatedConfig RestrictTo(const ValidatedConfig& next,
                           const std::map<std::string, WorkerConfig>& current,
                           const std::vector<std::string>& names,
                           std::vector<std::string>& unknown) {
  const std::set<std::string> named(names.begin(), names.end());
  for (const std::string& name : named) {
    if (!current.contains(name) && !next.workers.contains(name) &&
        !next.invalid_workers.contains(name)) {
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
    if (named.contains(name) || !current.contains(name))
      restricted.invalid_workers.emplace(name, errors);
  }
  for (const auto& [name, worker] : current) {
    if (!named.contains(name)) restricted.workers.emplace(name, worker);
  }
  return restricted;
}

}  // namespace sup::config
