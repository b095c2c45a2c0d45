// Supervisor::CheckInvariants: what must hold between any two calls, checked by the model tests
// and the fuzzers after every step.
#include "daemon/engine/supervisor.h"

#include "common/config/dependency_graph.h"

namespace sup::engine {

std::vector<std::string> Supervisor::CheckInvariants() const {
  std::vector<std::string> broken;
  // Stops wait for dependents: a cycle among the definitions in force would be a wait without end.
  for (const std::vector<std::string>& cycle : config::FindCycles(DependenciesInForce())) {
    std::string path;
    for (const std::string& name : cycle) path += name + " -> ";
    broken.push_back("the definitions in force have a dependency cycle: " + path + cycle.front());
  }
  for (const auto& [key, w] : workers_) {
    const std::string& name =
        key;  // a plain reference: lambdas cannot capture structured bindings in clang 14
    const std::string state(NameOf(w.state, kWorkerStateNames));
    auto fail = [&](const std::string& what) {
      broken.push_back(name + " (" + state + "): " + what);
    };
    if (IsUp(w.state) != w.process.has_value()) fail("a process exactly while up");
    if (w.process && (w.process->pid == 0) != w.process->launching)
      fail("a process has a pid exactly when its start has ended");
    if (w.process && w.process->launching && w.state != WorkerState::kStarting &&
        w.state != WorkerState::kStopping) {
      fail("only a starting or stopping worker waits for its start to end");
    }
    const bool launching = w.process && w.process->launching;
    if (w.intent && !IsUp(w.state))
      fail("an intent only while up (a worker that is down acts at once)");
    if (IsUp(w.state) && !w.config) fail("an up worker has a definition");
    if (w.state == WorkerState::kStopping && !w.state_timer.armed())
      fail("a stop always has its next step armed");
    if (w.state == WorkerState::kBackoff && !w.state_timer.armed())
      fail("a backoff always has its restart armed");
    if (w.state == WorkerState::kBackoff && !Wanted(view(), w))
      fail("only a wanted worker backs off");
    if (w.state == WorkerState::kFailed && w.config &&
        w.state_timer.armed() != (w.config->policy.failed_retry.count() > 0 && Wanted(view(), w))) {
      fail("an open breaker is retried exactly when FailedRetryMs is set");
    }
    const bool waits_for_ready = w.state == WorkerState::kStarting && w.config &&
                                 w.config->policy.notify && w.process && !w.process->said_ready;
    if (w.state == WorkerState::kStarting && !launching && !w.state_timer.armed() &&
        !(w.probes && w.probes->Active(ProbeKind::kStartup)) && !waits_for_ready) {
      fail("a start is confirmed by a timer, a startup probe or READY=1");
    }
    if (w.watchdog_timer.armed() && w.state != WorkerState::kRunning)
      fail("only a running worker is watched for WATCHDOG=1");
    if (w.state == WorkerState::kRunning && !w.intent && w.config->policy.watchdog.count() > 0 &&
        !w.process->said_stopping && !w.watchdog_timer.armed()) {
      fail("a running worker with WatchdogMs waits for its next WATCHDOG=1");
    }
    if (w.state == WorkerState::kRunning && w.config) {
      for (const auto& [kind, probe] : w.config->policy.probes) {
        if (kind != ProbeKind::kStartup && !(w.probes && w.probes->Active(kind))) {
          fail(std::string("the ") + std::string(NameOf(kind, kProbeKindNames)) +
               " probe keeps running");
        }
      }
    }
    const bool starting_or_running =
        w.state == WorkerState::kStarting || w.state == WorkerState::kRunning;
    if (starting_or_running && !launching && w.config->policy.memory_restart_mb > 0 &&
        !(w.memory && w.memory->active())) {
      fail("a worker with MemoryRestartMB has its working set checked while it runs");
    }
    if (!starting_or_running && (w.memory && w.memory->active()))
      fail("only a starting or running worker has its working set checked");
    // No wait without an end: an intent that has not begun its stop waits only for dependents
    // that are on their way down themselves.
    if (w.intent && (w.state == WorkerState::kStarting || w.state == WorkerState::kRunning)) {
      const std::vector<std::string> dependents = UpDependents(view(), w, /*transitive=*/false);
      if (dependents.empty()) fail("an intent with no running dependent has begun its stop");
      for (const std::string& dependent : dependents) {
        const Worker& d = workers_.at(dependent);
        if (!d.intent && d.state != WorkerState::kStopping)
          fail("its dependent " + dependent + " is not going down");
      }
    }
    if (w.state == WorkerState::kStopped && Wanted(view(), w) &&
        UnavailableDependencies(view(), w).empty()) {
      fail("a wanted worker whose dependencies run has started");
    }
    if (shutting_down_ && (w.state == WorkerState::kStarting || w.state == WorkerState::kRunning) &&
        !w.intent) {
      fail("while supd stops, every running worker is on its way down");
    }
  }
  return broken;
}

}  // namespace sup::engine
