// Supervisor: what it publishes of its workers (snapshots and recent events) for the read side.
#include "daemon/engine/supervisor.h"

#include "common/format.h"
#include "daemon/engine/stop_ladder.h"

namespace sup::engine {

WorkerSnapshot Supervisor::SnapshotOf(const Worker& w) const {
  const TimePoint now = ports_.clock.SteadyNow();
  WorkerSnapshot s;
  s.name = w.name;
  s.state = w.state;
  s.reason = w.reason;
  s.in_state_for = std::chrono::duration_cast<Millis>(now - w.since);
  s.health = w.health;
  const bool has_readiness = w.config && w.config->policy.probes.contains(ProbeKind::kReadiness);
  s.ready = w.state == WorkerState::kRunning && (!has_readiness || w.readiness_passed);
  s.wanted = Wanted(view(), w);
  s.done = IsDone(w);
  if (w.process) {
    s.pid = w.process->pid;
    s.uptime = std::chrono::duration_cast<Millis>(now - w.process->started_at);
    s.status_text = w.process->status_text;
    s.waiting_for_ready = w.state == WorkerState::kStarting && w.config->policy.notify &&
                          !w.process->said_ready && !w.process->launching;
  }
  s.restarts = w.restarts;
  s.launches = w.launches;
  s.last_exit_code = w.last_exit_code;
  if (w.next_start_at)
    s.next_restart_in = std::chrono::duration_cast<Millis>(*w.next_start_at - now);
  s.config_errors = w.config_errors;
  s.has_config = w.config.has_value();
  s.enabled = w.config && w.config->policy.enabled;
  s.stopped_by_operator = w.stopped_by_operator;
  if (w.intent) {
    const std::string intent(NameOf(w.intent->kind, kIntentNames));
    if (w.state == WorkerState::kStopping) {
      if (w.intent->kind != IntentKind::kStop) s.pending_intent = "then " + intent;
    } else {
      s.pending_intent = intent + " once its dependents stop: " +
                         JoinNames(UpDependents(view(), w, /*transitive=*/false));
    }
  }
  if (s.wanted && w.state == WorkerState::kStopped)
    s.waiting_for = UnavailableDependencies(view(), w);
  s.backoff_attempt = w.backoff_attempt;
  if (w.state == WorkerState::kStopping && w.config) {
    const StopLadder ladder = StopLadder::For(w.config->policy, w.process->has_console);
    const std::size_t index = std::min(w.process->stop_step, ladder.steps.size() - 1);
    s.stop_step = std::string(NameOf(ladder.steps[index], kStopStepNames));
    s.stop_step_number = index + 1;
    s.stop_steps = ladder.steps.size();
  }
  s.last_error = w.last_error;
  if (w.config) s.account = w.config->launch.identity.account.ToString();
  return s;
}

std::optional<WorkerSnapshot> Supervisor::Snapshot(const std::string& name) const {
  const Worker* w = Find(name);
  if (!w) return std::nullopt;
  return SnapshotOf(*w);
}

std::vector<WorkerSnapshot> Supervisor::Snapshot() const {
  std::vector<WorkerSnapshot> snapshots;
  snapshots.reserve(workers_.size());
  for (const auto& [name, worker] : workers_) snapshots.push_back(SnapshotOf(worker));
  return snapshots;
}

std::vector<Event> Supervisor::RecentEvents(const std::string& name) const {
  const Worker* w = Find(name);
  if (!w) return {};
  std::vector<Event> events;
  const auto& transitions = w->transitions.events();
  const auto& probes = w->probe_events.events();
  std::merge(transitions.begin(), transitions.end(), probes.begin(), probes.end(),
             std::back_inserter(events),
             [](const Event& a, const Event& b) { return a.time < b.time; });
  return events;
}

}  // namespace sup::engine
