#include "daemon/engine/supervisor.h"

#include <algorithm>

#include "common/format.h"
#include "common/config/config_schema.h"
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

void Supervisor::NoteOutput(const std::string& worker, std::string message, bool healed) {
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
// Configuration

config::ConfigDiff Supervisor::ApplyConfig(const ValidatedConfig& validated) {
  const ValidatedConfig& config = validated;
  ++config_generation_;
  if (config.daemon_errors.empty() || !have_daemon_config_) {
    daemon_ = config.daemon;
    have_daemon_config_ = true;
  }
  const config::ConfigDiff diff = config::DiffConfigs(DefinitionsInForce(), config);
  invalid_in_config_ = config.invalid_workers;
  // Operator stops saved for workers the configuration no longer has go with them, as a removal
  // takes them while supd runs (Remove).
  for (auto saved = stopped_by_operator_at_start_.begin();
       saved != stopped_by_operator_at_start_.end();) {
    if (config.workers.contains(*saved) || config.invalid_workers.contains(*saved)) {
      ++saved;
      continue;
    }
    (void)ports_.state_store.SetStoppedByOperator(*saved, false);
    saved = stopped_by_operator_at_start_.erase(saved);
  }
  start_order_stale_ = true;  // workers and their dependencies change below

  // Workers gone from the configuration, including ones that never had a valid definition.
  std::vector<std::string> gone;
  for (const auto& [name, worker] : workers_) {
    const bool leaving = worker.intent && worker.intent->kind == IntentKind::kRemove;
    if (!leaving && !config.workers.contains(name) && !config.invalid_workers.contains(name))
      gone.push_back(name);
  }
  for (const std::string& name : gone) {
    Worker& w = workers_.at(name);
    NoteConfig(w, "removed");
    SetIntent(w, Intent{IntentKind::kRemove, Reason::kConfigChanged, {}});
  }

  for (const auto& [name, errors] : config.invalid_workers) {
    auto [it, created] = workers_.try_emplace(name);
    Worker& w = it->second;
    if (created) {
      w.name = name;
      // An operator's stop saved before supd started holds for it already, as it did before
      // (it is applied in full once a definition is valid).
      w.stopped_by_operator = stopped_by_operator_at_start_.contains(name);
    }
    // A worker on its way out that comes back invalid finishes leaving first (its process runs
    // on the definition being removed), then reappears as a new, invalid worker.
    w.config_errors = errors;
    NoteConfig(w, "configuration rejected: " + errors.front().ToString());
    if (!w.config && !IsUp(w.state) &&
        (w.state != WorkerState::kStopped || w.reason != Reason::kConfigError)) {
      CancelTimers(w);
      Transition(w, WorkerState::kStopped, Reason::kConfigError, errors.front().ToString());
    }
  }

  for (const std::string& name : diff.added) {
    auto [it, created] = workers_.try_emplace(name);
    Worker& w = it->second;
    w.name = name;
    if (stopped_by_operator_at_start_.erase(name) > 0) {
      // An operator stopped it before supd last stopped.
      w.stopped_by_operator = true;
      w.reason = Reason::kOperator;
    }
    // Back before its process was gone: it restarts on the new definition, and is probed and
    // checked the new way until then. (Only a worker on its way out has a definition here.)
    if (w.intent && w.intent->kind == IntentKind::kRemove)
      w.intent = Intent{IntentKind::kApply, Reason::kConfigChanged, {}};
    AdoptDefinition(w, config.workers.at(name));
    if (w.state == WorkerState::kStopped && w.reason == Reason::kConfigError)
      w.reason = Reason::kNone;
    NoteConfig(w, "added");
  }

  for (const std::string& name : diff.launch_changed) {
    Worker& w = workers_.at(name);
    AdoptDefinition(w, config.workers.at(name));  // until the restart, probed the new way
    NoteConfig(w, "launch settings changed");
    if (IsUp(w.state)) {
      SetIntent(w, Intent{Wanted(view(), w) ? IntentKind::kApply : IntentKind::kStop,
                          Reason::kConfigChanged,
                          {}});
    } else if (!w.config->policy.enabled && w.state != WorkerState::kStopped) {
      ActOnIntentWhileDown(w, Intent{IntentKind::kStop, Reason::kConfigChanged, {}});
    } else if (w.state == WorkerState::kFailed) {
      ArmBreakerRetry(w);
    }
    // Otherwise a worker that is down starts on the new definition whenever it next starts.
  }

  for (const std::string& name : diff.policy_changed) {
    Worker& w = workers_.at(name);
    const WorkerConfig& next = config.workers.at(name);
    NoteConfig(w, "policy changed; applied without a restart");
    AdoptDefinition(w, next);  // even on its way down: until then it is probed the new way
    if (!next.policy.enabled) {
      if (w.state != WorkerState::kStopped)
        SetIntent(w, Intent{IntentKind::kStop, Reason::kConfigChanged, {}});
    } else if (w.state == WorkerState::kFailed) {
      ArmBreakerRetry(w);  // FailedRetryMs applies live
    }
  }

  for (const std::string& name : diff.unchanged) workers_.at(name).config_errors.clear();

  // Workers whose dependency left the configuration go down (after their own dependents), and
  // stay down with the configuration error that names it.
  for (auto& [name, w] : workers_) {
    const std::vector<std::string> missing = MissingDependencies(view(), w);
    if (missing.empty() || (w.intent && w.intent->kind == IntentKind::kRemove)) continue;
    if (IsUp(w.state)) {
      if (!w.intent || w.intent->reason != Reason::kConfigError) {
        w.intent.reset();
        SetIntent(w, Intent{IntentKind::kStop, Reason::kConfigError, missing.front()});
      }
    } else if (w.state != WorkerState::kStopped || w.reason != Reason::kConfigError) {
      CancelTimers(w);
      w.next_start_at.reset();
      Transition(w, WorkerState::kStopped, Reason::kConfigError,
                 "depends on " + JoinNames(missing) + ", which is not configured");
    }
  }

  Settle();
  return diff;
}

void Supervisor::AdoptDefinition(Worker& w, const WorkerConfig& next) {
  const bool probes_changed = w.config && w.config->policy.probes != next.policy.probes;
  const bool memory_changed = w.config && MemoryChecksDiffer(*w.config, next);
  w.config = next;
  w.config_errors.clear();
  if (probes_changed) {
    RestartProbes(w);  // checks the memory the new way too
  } else if (memory_changed) {
    ArmMemoryCheck(w);
  }
}

std::map<std::string, WorkerConfig> Supervisor::DefinitionsInForce() const {
  std::map<std::string, WorkerConfig> definitions;
  for (const auto& [name, worker] : workers_) {
    const bool leaving = worker.intent && worker.intent->kind == IntentKind::kRemove;
    if (worker.config && !leaving) definitions.emplace(name, *worker.config);
  }
  return definitions;
}

Result<ValidatedConfig> Supervisor::ReadConfig(config::ConfigSource& source) const {
  Result<ValidatedConfig> config =
      config::ReadConfig(source, have_daemon_config_ ? &daemon_ : nullptr);
  if (!config) return config;
  if (!account_without_logon_.empty())
    config::RefuseAccountsSupdCannotLogOn(*config, account_without_logon_);
  config::RejectCyclesThroughKeptDefinitions(*config, DependenciesInForce());
  return config;
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
  const PolicyConfig& policy = w.config->policy;
  StartProbes(w, /*at_launch=*/true);
  ArmMemoryCheck(w);
  if (policy.probes.contains(ProbeKind::kStartup)) return;  // the startup probe decides
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
  w.state_timer.Cancel(ports_.timers);
  w.process->stable_since = ports_.clock.SteadyNow();
  Transition(w, WorkerState::kRunning, w.reason);
  if (w.config->policy.probes.contains(ProbeKind::kStartup)) StartProbes(w, /*at_launch=*/false);
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

// ---------------------------------------------------------------------------------------------
// Memory

bool Supervisor::MemoryChecksDiffer(const WorkerConfig& a, const WorkerConfig& b) {
  return a.policy.memory_restart_mb != b.policy.memory_restart_mb ||
         a.policy.memory_check_period != b.policy.memory_check_period;
}

void Supervisor::ArmMemoryCheck(Worker& w) {
  if (w.memory) w.memory->Cancel();
  if (w.state != WorkerState::kStarting && w.state != WorkerState::kRunning) return;
  const PolicyConfig& policy = w.config->policy;
  if (policy.memory_restart_mb == 0) return;
  if (!w.memory) {
    // The callbacks may use `w`: the watch, and every check it scheduled, dies with it.
    w.memory = std::make_unique<MemoryWatch>(
        ports_.timers,
        [this, &w]() -> std::optional<std::uint64_t> {
          // While an intent waits for dependents to stop, the worker is about to go down: no
          // reading is taken, but the checks go on, for an intent can be called off (`start`
          // after `stop`).
          if (w.intent) return std::nullopt;
          return ports_.launcher.WorkingSetBytes(w.name);
        },
        [this, &w](std::uint64_t used) {
          RestartForMemory(w, "working set " + FormatBytes(used) + " above MemoryRestartMB " +
                                  std::to_string(w.config->policy.memory_restart_mb) + " at " +
                                  std::to_string(MemoryWatch::kChecksInARow) + " checks in a row");
          Settle();
        });
  }
  w.memory->Begin(policy.memory_restart_mb, policy.memory_check_period);
}

void Supervisor::OnMemoryLimit(const std::string& name, std::uint32_t pid) {
  Worker* found = Find(name);
  if (!found || !found->process || found->process->pid != pid) return;  // stale: an earlier process
  Worker& w = *found;
  if (w.state == WorkerState::kStopping || w.intent) return;  // on its way down already
  RestartForMemory(
      w, "its job reached MemoryLimitMB " + std::to_string(w.config->launch.memory_limit_mb));
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

// Through the stop ladder, so the worker may still shut down cleanly; its exit is then a failure
// like a failed liveness probe's, restarted by its policy (backoff, breaker).
void Supervisor::RestartForMemory(Worker& w, std::string why) {
  w.process->killed_for = Reason::kMemoryLimit;
  BeginStop(w, Reason::kMemoryLimit, std::move(why));
}

// ---------------------------------------------------------------------------------------------
// Probes

void Supervisor::RestartProbes(Worker& w) {
  if (w.state != WorkerState::kStarting && w.state != WorkerState::kRunning) return;
  // A start still going on elsewhere has nothing to probe yet: it is watched when it ends
  // (OnLaunched), by the policy in force then.
  if (w.process && w.process->launching) return;
  CancelTimers(w);
  w.readiness_passed = false;
  w.health = Health::kUnknown;
  const bool starting = w.state == WorkerState::kStarting;
  StartProbes(w, /*at_launch=*/starting);
  ArmMemoryCheck(w);
  // A start under way is confirmed the new way.
  const PolicyConfig& policy = w.config->policy;
  if (!starting || policy.probes.contains(ProbeKind::kStartup)) return;
  if (policy.start_time.count() == 0) {
    ConfirmStart(w);
  } else {
    ArmStateTimer(w, policy.start_time, &Supervisor::OnStartTimeElapsed);
  }
}

void Supervisor::StartProbes(Worker& w, bool at_launch) {
  if (!w.probes) {
    // The callback may use `w`: the scheduler, and with it every callback it issued, dies with it.
    w.probes = std::make_unique<ProbeScheduler>(ports_.timers, ports_.prober, w.name,
                                                [this, &w](const ProbeScheduler::Outcome& outcome) {
                                                  OnProbeOutcome(w, outcome);
                                                  Settle();
                                                });
  }
  w.probes->Begin(w.config->policy.probes, at_launch);
}

void Supervisor::OnProbeOutcome(Worker& w, const ProbeScheduler::Outcome& outcome) {
  if (w.state != WorkerState::kStarting && w.state != WorkerState::kRunning) return;
  if (outcome.news) RecordProbeEvent(w, outcome);
  const bool passes = outcome.verdict == ProbeScheduler::Verdict::kPassed;
  const bool fails = outcome.verdict == ProbeScheduler::Verdict::kFailed;
  switch (outcome.kind) {
    case ProbeKind::kStartup:
      if (passes) ConfirmStart(w);
      if (fails) KillFor(w, Reason::kStartTimeout);
      return;
    case ProbeKind::kLiveness:
      if (passes && w.health != Health::kHealthy) {
        if (w.health == Health::kUnhealthy) w.process->stable_since = ports_.clock.SteadyNow();
        w.health = Health::kHealthy;
      } else if (fails) {
        w.health = Health::kUnhealthy;
        KillFor(w, Reason::kLivenessFailed);
      }
      return;
    case ProbeKind::kReadiness:
      if (passes && !w.readiness_passed) {
        w.readiness_passed = true;
        // A passing readiness probe confirms the start early.
        if (w.state == WorkerState::kStarting &&
            !w.config->policy.probes.contains(ProbeKind::kStartup))
          ConfirmStart(w);
      } else if (fails) {
        w.readiness_passed = false;
      }
      return;
  }
}

// A probe result is an event when it fails or when the probe's result changes; consecutive
// failures fold into one event with a count, kept apart from the transitions.
void Supervisor::RecordProbeEvent(Worker& w, const ProbeScheduler::Outcome& outcome) {
  Event event = NewEvent(w, EventKind::kProbe);
  event.probe = outcome.kind;
  event.probe_success = outcome.result.success;
  event.message = outcome.result.message;
  if (w.probe_events.PushOrFoldProbeFailure(event)) ports_.events.Emit(event);
}

}  // namespace sup::engine
