#include "daemon/engine/supervisor.h"

#include "common/format.h"
#include "daemon/engine/stop_ladder.h"

namespace sup::engine {

Supervisor::Supervisor(SupervisorPorts ports)
    : ports_(ports), stopped_by_operator_at_start_(ports_.state_store.LoadStoppedByOperator()) {}

Supervisor::~Supervisor() {
  for (auto& [name, worker] : workers_) CancelTimers(worker);
}

// ---------------------------------------------------------------------------------------------
// Lookups and the predicates the rules are made of

Worker* Supervisor::Find(const std::string& name) {
  const auto found = workers_.find(name);
  return found == workers_.end() ? nullptr : &found->second;
}

const Worker* Supervisor::Find(const std::string& name) const {
  const auto found = workers_.find(name);
  return found == workers_.end() ? nullptr : &found->second;
}

std::vector<std::string> Supervisor::Targets(const std::vector<std::string>& names) const {
  if (!names.empty()) return names;
  std::vector<std::string> all;
  for (const auto& [name, worker] : workers_) all.push_back(name);
  return all;
}

config::DependencyGraph Supervisor::DependenciesInForce() const {
  return engine::DependenciesInForce(view());
}

// ---------------------------------------------------------------------------------------------
// Transitions, events, timers

Event Supervisor::NewEvent(const Worker& w, EventKind kind) const {
  Event event;
  event.time = ports_.clock.SteadyNow();
  event.worker = w.name;
  event.kind = kind;
  event.pid = w.process ? w.process->pid : 0;
  return event;
}

void Supervisor::Record(Worker& w, Event event) {
  ports_.events.Emit(event);
  w.transitions.Push(std::move(event));
}

void Supervisor::OnOutputProblem(const std::string& worker, std::string message, bool healed) {
  Worker* w = Find(worker);
  if (!w) return;  // removed meanwhile: its capture goes with it
  Event event = NewEvent(*w, EventKind::kOutput);
  event.message = std::move(message);
  event.healed = healed;
  Record(*w, std::move(event));
}

void Supervisor::NoteConfig(Worker& w, std::string message) {
  Event event = NewEvent(w, EventKind::kConfig);
  event.message = std::move(message);
  Record(w, std::move(event));
}

void Supervisor::Transition(Worker& w, WorkerState to, Reason reason, std::string message) {
  Event event = NewEvent(w, EventKind::kTransition);
  event.from = w.state;
  event.to = to;
  event.reason = reason;
  event.message = std::move(message);
  if (IsUp(w.state) && !IsUp(to)) {
    event.exit_code = w.last_exit_code;
    w.process.reset();
    w.intent.reset();
  }
  w.state = to;
  w.reason = reason;
  w.since = event.time;
  Record(w, std::move(event));
}

void Supervisor::CancelProbes(Worker& w) {
  if (w.probes) w.probes->Cancel();
}

void Supervisor::CancelTimers(Worker& w) {
  w.state_timer.Cancel(ports_.timers);
  w.watchdog_timer.Cancel(ports_.timers);
  if (w.memory) w.memory->Cancel();
  CancelProbes(w);
}

void Supervisor::ArmStateTimer(Worker& w, Millis delay, void (Supervisor::*step)(Worker&)) {
  // The guard inside state_timer dies with the worker, so `w` is alive whenever this runs.
  w.state_timer.Arm(ports_.timers, delay, [this, &w, step] {
    (this->*step)(w);
    Settle();
  });
}

// ---------------------------------------------------------------------------------------------
// Settling: the rules that span workers

void Supervisor::Settle() {
  if (settling_) return;  // an entry point settles once, at its end
  settling_ = true;
  for (bool changed = true; changed;) {
    changed = false;
    // Most events leave no intent pending and no worker waiting to start: then settling costs
    // one pass over the workers, without allocating.
    bool any_intent = false;
    bool any_waiting = false;
    for (const auto& [name, w] : workers_) {
      any_intent |= w.intent.has_value();
      any_waiting |= w.state == WorkerState::kStopped && Wanted(view(), w);
    }
    if (any_intent) changed |= AdvanceIntents();
    if (any_waiting) changed |= StartWaitingWorkers();
  }
  settling_ = false;
  if (shutting_down_ && shutdown_done_ &&
      std::none_of(workers_.begin(), workers_.end(),
                   [](const auto& entry) { return IsUp(entry.second.state); })) {
    std::function<void()> done = std::move(shutdown_done_);
    shutdown_done_ = nullptr;
    done();
  }
}

// Whatever takes a worker down on purpose takes its running dependents down first: they get an
// intent of their own, and a worker begins its stop once none of its dependents is up.
bool Supervisor::AdvanceIntents() {
  bool changed = false;
  for (auto& [name, w] : workers_) {
    if (!w.intent) continue;
    for (const std::string& dependent : UpDependents(view(), w, /*transitive=*/false)) {
      Worker& d = workers_.at(dependent);
      if (d.intent) continue;
      SetIntent(d, Intent{IntentKind::kStop, Reason::kDependency, name});
      changed = true;
    }
  }
  for (auto& [name, w] : workers_) {
    const bool may_stop =
        w.intent && (w.state == WorkerState::kStarting || w.state == WorkerState::kRunning);
    if (may_stop && UpDependents(view(), w, /*transitive=*/false).empty()) {
      BeginStop(w, w.intent->reason);
      changed = true;
    }
  }
  return changed;
}

// Wanted workers start once their dependencies run and are ready, dependencies first.
bool Supervisor::StartWaitingWorkers() {
  if (start_order_stale_) {
    start_order_.clear();
    for (const std::string& name : config::StartOrder(DependenciesInForce()))
      start_order_.push_back(&workers_.at(name));
    start_order_stale_ = false;
  }
  bool changed = false;
  for (Worker* w : start_order_) {
    if (w->state != WorkerState::kStopped || !Wanted(view(), *w)) continue;
    const std::vector<std::string> unavailable = UnavailableDependencies(view(), *w);
    if (unavailable.empty()) {
      Launch(*w, w->reason == Reason::kConfigError ? Reason::kConfigChanged : w->reason);
      changed = true;
    } else if (w->reason != Reason::kDependency) {
      Transition(*w, WorkerState::kStopped, Reason::kDependency,
                 "waiting for " + JoinNames(unavailable));
    }
  }
  return changed;
}

// ---------------------------------------------------------------------------------------------
// Intents

void Supervisor::SetIntent(Worker& w, Intent intent) {
  if (!IsUp(w.state)) {
    ActOnIntentWhileDown(w, intent);
    return;
  }
  if (w.intent) {
    // Removal and shutdown are final, and a new definition does not undo an operator's stop;
    // otherwise the newest intent wins.
    if (w.intent->kind == IntentKind::kRemove || w.intent->reason == Reason::kShutdown) return;
    if (w.intent->kind == IntentKind::kStop && w.intent->reason == Reason::kOperator &&
        intent.kind == IntentKind::kApply) {
      return;
    }
  }
  w.intent = std::move(intent);
}

void Supervisor::ActOnIntentWhileDown(Worker& w, const Intent& intent) {
  CancelTimers(w);
  w.next_start_at.reset();
  switch (intent.kind) {
    case IntentKind::kRemove: Remove(w); return;
    case IntentKind::kRestart:
    case IntentKind::kApply: TryLaunch(w, intent.reason); return;
    case IntentKind::kStop:
      if (w.state != WorkerState::kStopped || w.reason != intent.reason) {
        Transition(w, WorkerState::kStopped, intent.reason,
                   intent.because_of.empty() ? std::string() : "with " + intent.because_of);
      }
      return;
  }
}

void Supervisor::CompleteIntent(Worker& w, Intent intent) {
  Transition(w, WorkerState::kStopped, intent.reason);
  if (intent.kind == IntentKind::kRemove) Remove(w);
  // Otherwise Settle starts it again if it is wanted and its dependencies allow.
}

void Supervisor::Remove(Worker& w) {
  const std::string name = w.name;
  // An operator's stop goes with the worker, from the state store too: a worker configured again
  // under its name is a new one, after a restart of supd as before it.
  SetStoppedByOperator(w, false);
  stopped_by_operator_at_start_.erase(name);
  workers_.erase(name);
  ports_.launcher.Forget(name);
  start_order_stale_ = true;
  const auto invalid = invalid_in_config_.find(name);
  if (invalid == invalid_in_config_.end()) return;
  Worker& back = workers_[name];
  back.name = name;
  back.config_errors = invalid->second;
  Transition(back, WorkerState::kStopped, Reason::kConfigError, invalid->second.front().ToString());
}

std::vector<CommandResult> Supervisor::TakeDownDependents(Worker& w,
                                                          std::string_view done_message) {
  std::vector<CommandResult> results;
  for (const std::string& name : UpDependents(view(), w, /*transitive=*/true)) {
    Worker& d = workers_.at(name);
    if (d.intent) continue;  // going down already, for its own reason
    SetIntent(d, Intent{IntentKind::kStop, Reason::kDependency, w.name});
    results.push_back({name, CommandResult::Outcome::kDone,
                       std::string(done_message) + " (depends on " + w.name + ")", w.name,
                       d.launches});
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Starting

void Supervisor::TryLaunch(Worker& w, Reason reason) {
  if (!Wanted(view(), w)) {
    if (w.state != WorkerState::kStopped) Transition(w, WorkerState::kStopped, reason);
    return;
  }
  const std::vector<std::string> unavailable = UnavailableDependencies(view(), w);
  if (!unavailable.empty()) {
    if (w.state != WorkerState::kStopped || w.reason != Reason::kDependency) {
      Transition(w, WorkerState::kStopped, Reason::kDependency,
                 "waiting for " + JoinNames(unavailable));
    }
    return;
  }
  Launch(w, reason);
}

void Supervisor::Launch(Worker& w, Reason reason) {
  CancelTimers(w);
  w.next_start_at.reset();
  w.health = Health::kUnknown;
  w.readiness_passed = false;
  ++w.launches;
  Result<LaunchStarted> started = ports_.launcher.Launch(w.name, w.config->launch);
  if (!started) {
    w.last_error = started.error().message();
    HandleFailureToRun(w, Reason::kSpawnError, -1, /*started_ok=*/false);
    return;
  }
  w.last_error.clear();
  const TimePoint now = ports_.clock.SteadyNow();
  w.process = Process{.pid = started->value_or(0),
                      .launching = !started->has_value(),
                      .started_at = now,
                      .stable_since = now,
                      .has_console = w.config->launch.own_console,
                      .killed_for = std::nullopt,
                      .stop_step = 0,
                      .sent_step = StopStep::kTerminate};
  Transition(w, WorkerState::kStarting, reason);
  if (!w.process->launching) WatchStart(w);
}

void Supervisor::WatchStart(Worker& w) {
  StartProbes(w, /*at_launch=*/true);
  ArmMemoryCheck(w);
  ArmStartConfirmation(w);
}

void Supervisor::ArmStartConfirmation(Worker& w) {
  const PolicyConfig& policy = w.config->policy;
  const bool probe_decides = policy.probes.contains(ProbeKind::kStartup);
  if (policy.notify) {
    // StartSeconds does not apply: READY=1 is the program's own word that it started.
    w.process->start_checks_passed = !probe_decides;
    if (policy.start_timeout.count() > 0)
      ArmStateTimer(w, policy.start_timeout, &Supervisor::OnReadyTimeElapsed);
    if (w.process->start_checks_passed && w.process->said_ready) ConfirmStart(w);
    return;
  }
  if (probe_decides) return;
  if (policy.start_time.count() == 0) {
    ConfirmStart(w);
    return;
  }
  ArmStateTimer(w, policy.start_time, &Supervisor::OnStartTimeElapsed);
}

// A start that went on elsewhere ended. A worker still STARTING is watched from now on; one whose
// stop began meanwhile gets its stop step again, now that there is a process to stop. A start
// that failed is a spawn error, or the end of the stop.
void Supervisor::OnLaunched(const std::string& name, Result<std::uint32_t> pid) {
  Worker* found = Find(name);
  if (!found || !found->process || !found->process->launching) return;  // stale
  Worker& w = *found;
  if (!pid) {
    CancelTimers(w);
    w.last_error = pid.error().message();
    w.health = Health::kUnknown;
    w.readiness_passed = false;
    if (w.intent) {
      CompleteIntent(w, *w.intent);
    } else {
      HandleFailureToRun(w, Reason::kSpawnError, -1, /*started_ok=*/false);
    }
    Settle();
    return;
  }
  w.process->pid = *pid;
  w.process->launching = false;
  w.process->started_at = w.process->stable_since = ports_.clock.SteadyNow();
  if (w.state == WorkerState::kStarting) {
    WatchStart(w);
  } else {
    RunStopStep(w);
  }
  Settle();
}

void Supervisor::OnStartTimeElapsed(Worker& w) {
  if (w.state == WorkerState::kStarting) ConfirmStart(w);
}

void Supervisor::ConfirmStart(Worker& w) {
  if (w.config->policy.notify && !w.process->said_ready) {
    w.process->start_checks_passed = true;
    return;
  }
  w.state_timer.Cancel(ports_.timers);
  w.process->stable_since = ports_.clock.SteadyNow();
  Transition(w, WorkerState::kRunning, w.reason);
  if (w.config->policy.probes.contains(ProbeKind::kStartup)) StartProbes(w, /*at_launch=*/false);
  ArmWatchdog(w);
}

// ---------------------------------------------------------------------------------------------
// Exits and restarts

void Supervisor::OnExit(const std::string& name, std::uint32_t pid, std::int64_t exit_code) {
  Worker* found = Find(name);
  if (!found || !found->process || found->process->pid != pid) return;  // stale: an earlier process
  Worker& w = *found;
  CancelTimers(w);
  w.last_exit_code = exit_code;
  w.health = Health::kUnknown;
  w.readiness_passed = false;
  if (w.intent) {
    CompleteIntent(w, *w.intent);
  } else if (w.state == WorkerState::kStopping) {
    HandleFailureToRun(w, w.process->killed_for.value_or(Reason::kKilled), exit_code,
                       /*started_ok=*/false);
  } else {
    const TimePoint now = ports_.clock.SteadyNow();
    if (w.state == WorkerState::kRunning &&
        now - w.process->stable_since >= w.config->policy.stable_after) {
      w.backoff_attempt = 0;  // it ran stably: the backoff starts over
    }
    HandleFailureToRun(w, Reason::kExited, exit_code,
                       /*started_ok=*/w.state == WorkerState::kRunning);
  }
  Settle();
}

void Supervisor::HandleFailureToRun(Worker& w, Reason reason, std::int64_t exit_code,
                                    bool started_ok) {
  w.health = Health::kUnknown;
  w.readiness_passed = false;
  if (shutting_down_) {
    Transition(w, WorkerState::kStopped, Reason::kShutdown);
    return;
  }
  if (!Wanted(view(), w)) {
    Transition(w, WorkerState::kStopped, reason);
    return;
  }
  const TimePoint now = ports_.clock.SteadyNow();
  const PolicyConfig& policy = w.config->policy;
  switch (DecideOnExit(policy, exit_code, started_ok, w.failures, now)) {
    case ExitVerdict::kStayDown: Transition(w, WorkerState::kExited, reason); return;
    case ExitVerdict::kRestart: {
      const Millis delay = BackoffDelay(policy, w.backoff_attempt, ports_.random.NextUnit());
      w.backoff_attempt = std::min<std::uint32_t>(w.backoff_attempt + 1, 64);
      w.next_start_at = now + delay;
      Transition(w, WorkerState::kBackoff, reason, "restart in " + FormatDelay(delay));
      ArmStateTimer(w, delay, &Supervisor::OnBackoffElapsed);
      return;
    }
    case ExitVerdict::kOpenBreaker:
      Transition(w, WorkerState::kFailed, Reason::kBreakerOpen,
                 std::to_string(policy.max_failures) + " failures within " +
                     FormatDelay(policy.failure_window));
      ArmBreakerRetry(w);
      return;
  }
}

void Supervisor::ArmBreakerRetry(Worker& w) {
  w.state_timer.Cancel(ports_.timers);
  w.next_start_at.reset();
  const Millis retry = w.config->policy.failed_retry;
  if (retry.count() == 0) return;  // FAILED until an operator acts
  w.next_start_at = ports_.clock.SteadyNow() + retry;
  ArmStateTimer(w, retry, &Supervisor::OnFailedRetryElapsed);
}

void Supervisor::OnBackoffElapsed(Worker& w) {
  ++w.restarts;
  w.next_start_at.reset();
  TryLaunch(w, w.reason);
}

void Supervisor::OnFailedRetryElapsed(Worker& w) {
  ++w.restarts;
  w.next_start_at.reset();
  TryLaunch(w, Reason::kBreakerOpen);
}

// ---------------------------------------------------------------------------------------------
// Stopping

void Supervisor::BeginStop(Worker& w, Reason reason, std::string message) {
  CancelTimers(w);
  w.process->stop_step = 0;
  Transition(w, WorkerState::kStopping, reason, std::move(message));
  RunStopStep(w);
}

void Supervisor::RunStopStep(Worker& w) {
  const StopLadder ladder = StopLadder::For(w.config->policy, w.process->has_console);
  const std::size_t index = w.process->stop_step;
  const StopStep step = ladder.StepAt(index);
  w.process->sent_step = step;
  if (step == StopStep::kTerminate) {
    ports_.launcher.Kill(w.name);  // repeated until the exit is reported
  } else {
    ports_.launcher.RequestStop(w.name, step);
  }
  ArmStateTimer(w, ladder.TimeoutAt(index), &Supervisor::OnStopStepElapsed);
}

void Supervisor::OnStopStepElapsed(Worker& w) {
  const StopLadder ladder = StopLadder::For(w.config->policy, w.process->has_console);
  w.process->stop_step = std::min(w.process->stop_step + 1, ladder.steps.size() - 1);
  RunStopStep(w);
}

void Supervisor::KillFor(Worker& w, Reason reason) {
  CancelTimers(w);
  w.process->killed_for = reason;
  w.process->stop_step = StopLadder::For(w.config->policy, w.process->has_console).steps.size() - 1;
  Transition(w, WorkerState::kStopping, reason);
  RunStopStep(w);
}

void Supervisor::Shutdown(std::function<void()> done) {
  shutting_down_ = true;
  shutdown_done_ = std::move(done);
  for (auto& [name, w] : workers_) {
    if (IsUp(w.state)) {
      if (!w.intent || w.intent->kind != IntentKind::kRemove)
        w.intent = Intent{IntentKind::kStop, Reason::kShutdown, {}};
    } else if (w.state == WorkerState::kBackoff || w.state == WorkerState::kFailed ||
               (w.state == WorkerState::kStopped && w.reason == Reason::kDependency)) {
      CancelTimers(w);
      w.next_start_at.reset();
      Transition(w, WorkerState::kStopped, Reason::kShutdown);
    }
  }
  Settle();
}

void Supervisor::OnStopStepUndelivered(const std::string& name, std::uint32_t pid, StopStep step) {
  Worker* found = Find(name);
  if (!found || !found->process || found->process->pid != pid) return;  // stale: an earlier process
  Worker& w = *found;
  if (w.state != WorkerState::kStopping) return;
  if (w.process->sent_step != step) return;  // the ladder went on meanwhile
  w.state_timer.Cancel(ports_.timers);
  OnStopStepElapsed(w);
  Settle();
}

}  // namespace sup::engine
