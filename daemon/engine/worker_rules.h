// The predicates the supervisor's rules are made of, as free functions over a read-only view of
// its workers: pure, so tests ask them directly (tests/unit/worker_rules_test.cc), and the
// supervisor's files say only what they do with the answers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/config/dependency_graph.h"
#include "daemon/engine/worker.h"

namespace sup::engine {

struct WorkersView {
  const std::map<std::string, Worker>& workers;
  bool shutting_down = false;  // supd is stopping: nothing is wanted any more

  const Worker* Find(const std::string& name) const;
};

// Exists and is not on its way out of the configuration.
bool IsConfigured(const WorkersView& view, const std::string& name);
// Whether supd means the worker to run: a valid definition that is enabled, not stopped by an
// operator, not on its way out, every dependency configured, and supd not stopping.
bool Wanted(const WorkersView& view, const Worker& w);
// Ended with a success code and its policy keeps it down: a finished run-once job.
bool IsDone(const Worker& w);
// Running, ready, and not about to go down, or done: what a dependent may start on.
bool Available(const Worker& w);
// A dependency of `w` (or one of its own) that will not run unless an operator or a new
// definition acts; nullptr if everything `w` waits for will come by itself.
const Worker* BlockingDependency(const WorkersView& view, const Worker& w);
// `w`'s dependencies that are not Available, or not there at all.
std::vector<std::string> UnavailableDependencies(const WorkersView& view, const Worker& w);
// `w`'s dependencies that are not configured.
std::vector<std::string> MissingDependencies(const WorkersView& view, const Worker& w);
// The workers that are up and depend on `w`: directly, or (transitive) through others.
std::vector<std::string> UpDependents(const WorkersView& view, const Worker& w, bool transitive);
// Each worker's dependencies in force, workers on their way out included.
config::DependencyGraph DependenciesInForce(const WorkersView& view);

}  // namespace sup::engine
