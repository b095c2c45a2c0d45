#include "daemon/engine/worker_rules.h"

#include <algorithm>

#include "daemon/engine/restart_policy.h"

namespace sup::engine {

const Worker* WorkersView::Find(const std::string& name) const {
  const auto found = workers.find(name);
  return found == workers.end() ? nullptr : &found->second;
}

bool IsConfigured(const WorkersView& view, const std::string& name) {
  const Worker* w = view.Find(name);
  return w && !(w->intent && w->intent->kind == IntentKind::kRemove);
}

bool Wanted(const WorkersView& view, const Worker& w) {
  if (!w.config || !w.config->policy.enabled || w.stopped_by_operator || view.shutting_down)
    return false;
  if (w.intent && w.intent->kind == IntentKind::kRemove) return false;
  // Every dependency configured, without building MissingDependencies' list: this runs for every
  // worker after every event.
  const std::vector<std::string>& dependencies = w.config->policy.depends_on;
  return std::all_of(dependencies.begin(), dependencies.end(),
                     [&view](const std::string& name) { return IsConfigured(view, name); });
}

bool IsDone(const Worker& w) {
  return w.state == WorkerState::kExited && w.reason == Reason::kExited && w.config &&
         w.last_exit_code && IsSuccessExitCode(w.config->policy, *w.last_exit_code);
}

bool Available(const Worker& w) {
  if (IsDone(w)) return true;  // a run-once job that succeeded, like a database migration
  if (w.state != WorkerState::kRunning || w.intent) return false;
  const bool has_readiness = w.config && w.config->policy.probes.contains(ProbeKind::kReadiness);
  return !has_readiness || w.readiness_passed;
}

const Worker* BlockingDependency(const WorkersView& view, const Worker& w) {
  if (!w.config) return nullptr;
  for (const std::string& name : w.config->policy.depends_on) {
    const Worker* d = view.Find(name);
    if (!d || Available(*d)) continue;  // a missing one is refused as such
    const bool stuck = !Wanted(view, *d) || d->state == WorkerState::kExited ||
                       (d->state == WorkerState::kFailed && !d->state_timer.armed());
    if (stuck) return d;
    if (const Worker* deeper = BlockingDependency(view, *d)) return deeper;  // acyclic: ends
  }
  return nullptr;
}

std::vector<std::string> UnavailableDependencies(const WorkersView& view, const Worker& w) {
  std::vector<std::string> unavailable;
  if (!w.config) return unavailable;
  for (const std::string& name : w.config->policy.depends_on) {
    const Worker* dependency = view.Find(name);
    if (!dependency || !Available(*dependency)) unavailable.push_back(name);
  }
  return unavailable;
}

std::vector<std::string> MissingDependencies(const WorkersView& view, const Worker& w) {
  std::vector<std::string> missing;
  if (!w.config) return missing;
  for (const std::string& name : w.config->policy.depends_on) {
    if (!IsConfigured(view, name)) missing.push_back(name);
  }
  return missing;
}

std::vector<std::string> UpDependents(const WorkersView& view, const Worker& w, bool transitive) {
  std::vector<std::string> up;
  if (transitive) {
    for (const std::string& name :
         config::TransitiveDependents(DependenciesInForce(view), w.name)) {
      if (IsUp(view.workers.at(name).state)) up.push_back(name);
    }
    return up;
  }
  for (const auto& [name, other] : view.workers) {
    if (IsUp(other.state) && other.config &&
        std::ranges::find(other.config->policy.depends_on, w.name) !=
            other.config->policy.depends_on.end()) {
      up.push_back(name);
    }
  }
  return up;
}

config::DependencyGraph DependenciesInForce(const WorkersView& view) {
  config::DependencyGraph graph;
  for (const auto& [name, worker] : view.workers) {
    graph[name] = worker.config ? worker.config->policy.depends_on : std::vector<std::string>{};
  }
  return graph;
}

}  // namespace sup::engine
