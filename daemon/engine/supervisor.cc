#include "daemon/engine/supervisor.h"

#include <algorithm>

#include "common/format.h"
#include "common/config/config_schema.h"
#include "daemon/engine/stop_ladder.h"

namespace sup::engine {
namespace {

bool Has(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

}  // namespace

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
  config::DependencyGraph graph;
  for (const auto& [name, worker] : workers_) {
    graph[name] = worker.config ? worker.config->policy.depends_on : std::vector<std::string>{};
  }
  return graph;
}

bool Supervisor::Wanted(const Worker& w) const {
  if (!w.config || !w.config->policy.enabled || w.stopped_by_operator || shutting_down_)
    return false;
  if (w.intent && w.intent->kind == IntentKind::kRemove) return false;
  // Every dependency configured, without building MissingDependencies' list: this runs for every
  // worker after every event.
  const std::vector<std::string>& dependencies = w.config->policy.depends_on;
  return std::all_of(dependencies.begin(), dependencies.end(),
                     [this](const std::string& name) { return IsConfigured(name); });
}

bool Supervisor::IsConfigured(const std::string& name) const {
  const Worker* w = Find(name);
  return w && !(w->intent && w->intent->kind == IntentKind::kRemove);
}

bool Supervisor::Available(const Worker& w) const {
  if (IsDone(w)) return true;  // a run-once job that succeeded, like a database migration
  if (w.state != WorkerState::kRunning || w.intent) return false;
  const bool has_readiness = w.config && w.config->policy.probes.contains(ProbeKind::kReadiness);
  return !has_readiness || w.readiness_passed;
}

bool Supervisor::IsDone(const Worker& w) const {
  return w.state == WorkerState::kExited && w.reason == Reason::kExited && w.config &&
         w.last_exit_code && IsSuccessExitCode(w.config->policy, *w.last_exit_code);
}

std::optional<std::string> Supervisor::BlockingDependency(const Worker& w) const {
  if (!w.config) return std::nullopt;
  for (const std::string& name : w.config->policy.depends_on) {
    const Worker* d = Find(name);
    if (!d || Available(*d)) continue;  // a missing one is refused as such
    const bool stuck = !Wanted(*d) || d->state == WorkerState::kExited ||
                       (d->state == WorkerState::kFailed && !d->state_timer.armed());
    if (stuck) return name + ", which will not run unless started: " + Describe(SnapshotOf(*d));
    if (std::optional<std::string> deeper = BlockingDependency(*d)) return deeper;  // acyclic: ends
  }
  return std::nullopt;
}

std::vector<std::string> Supervisor::UnavailableDependencies(const Worker& w) const {
  std::vector<std::string> unavailable;
  if (!w.config) return unavailable;
  for (const std::string& name : w.config->policy.depends_on) {
    const Worker* dependency = Find(name);
    if (!dependency || !Available(*dependency)) unavailable.push_back(name);
  }
  return unavailable;
}

std::vector<std::string> Supervisor::MissingDependencies(const Worker& w) const {
  std::vector<std::string> missing;
  if (!w.config) return missing;
  for (const std::string& name : w.config->policy.depends_on) {
    if (!IsConfigured(name)) missing.push_back(name);
  }
  return missing;
}

std::vector<std::string> Supervisor::UpDependents(const Worker& w, bool transitive) const {
  std::vector<std::string> up;
  if (transitive) {
    for (const std::string& name : config::TransitiveDependents(DependenciesInForce(), w.name)) {
      if (IsUp(workers_.at(name).state)) up.push_back(name);
    }
    return up;
  }
  for (const auto& [name, other] : workers_) {
    if (IsUp(other.state) && other.config && Has(other.config->policy.depends_on, w.name))
      up.push_back(name);
  }
  return up;
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
  w.memory_timer.Cancel(ports_.timers);
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
      any_waiting |= w.state == WorkerState::kStopped && Wanted(w);
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
    for (const std::string& dependent : UpDependents(w, /*transitive=*/false)) {
      Worker& d = workers_.at(dependent);
      if (d.intent) continue;
      SetIntent(d, Intent{IntentKind::kStop, Reason::kDependency, name});
      changed = true;
    }
  }
  for (auto& [name, w] : workers_) {
    const bool may_stop =
        w.intent && (w.state == WorkerState::kStarting || w.state == WorkerState::kRunning);
    if (may_stop && UpDependents(w, /*transitive=*/false).empty()) {
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
    if (w->state != WorkerState::kStopped || !Wanted(*w)) continue;
    const std::vector<std::string> unavailable = UnavailableDependencies(*w);
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
  for (const std::string& name : UpDependents(w, /*transitive=*/true)) {
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
    const bool was_leaving = w.intent && w.intent->kind == IntentKind::kRemove;
    const bool probes_changed =
        w.config && w.config->policy.probes != config.workers.at(name).policy.probes;
    const bool memory_changed = w.config && MemoryChecksDiffer(*w.config, config.workers.at(name));
    w.config = config.workers.at(name);
    w.config_errors.clear();
    if (stopped_by_operator_at_start_.erase(name) >
        0) {  // an operator stopped it before supd last stopped
      w.stopped_by_operator = true;
      w.reason = Reason::kOperator;
    }
    if (was_leaving) {  // back before its process was gone: it restarts on the new definition
      w.intent = Intent{IntentKind::kApply, Reason::kConfigChanged, {}};
      if (probes_changed) {
        RestartProbes(w);
      } else if (memory_changed) {
        ArmMemoryCheck(w);
      }
    }
    if (w.state == WorkerState::kStopped && w.reason == Reason::kConfigError)
      w.reason = Reason::kNone;
    NoteConfig(w, "added");
  }

  for (const std::string& name : diff.launch_changed) {
    Worker& w = workers_.at(name);
    const bool probes_changed = w.config->policy.probes != config.workers.at(name).policy.probes;
    const bool memory_changed = MemoryChecksDiffer(*w.config, config.workers.at(name));
    w.config = config.workers.at(name);
    if (probes_changed) {
      RestartProbes(w);  // until the restart, the process is probed (and checked) the new way
    } else if (memory_changed) {
      ArmMemoryCheck(w);
    }
    w.config_errors.clear();
    NoteConfig(w, "launch settings changed");
    if (IsUp(w.state)) {
      SetIntent(
          w,
          Intent{Wanted(w) ? IntentKind::kApply : IntentKind::kStop, Reason::kConfigChanged, {}});
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
    const bool probes_changed = w.config->policy.probes != next.policy.probes;
    const bool memory_changed = MemoryChecksDiffer(*w.config, next);
    w.config = next;
    w.config_errors.clear();
    NoteConfig(w, "policy changed; applied without a restart");
    if (probes_changed)
      RestartProbes(w);  // even on its way down: until then it is probed the new way
    else if (memory_changed)
      ArmMemoryCheck(w);
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
    const std::vector<std::string> missing = MissingDependencies(w);
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
  if (!Wanted(w)) {
    if (w.state != WorkerState::kStopped) Transition(w, WorkerState::kStopped, reason);
    return;
  }
  const std::vector<std::string> unavailable = UnavailableDependencies(w);
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
                      .memory_checks_over = 0};
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
  if (!Wanted(w)) {
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
  w.memory_timer.Cancel(ports_.timers);
  if (w.state != WorkerState::kStarting && w.state != WorkerState::kRunning) return;
  w.process->memory_checks_over = 0;
  const PolicyConfig& policy = w.config->policy;
  if (policy.memory_restart_mb == 0) return;
  ScheduleMemoryCheck(w);
}

void Supervisor::ScheduleMemoryCheck(Worker& w) {
  // The guard inside memory_timer dies with the worker, so `w` is alive whenever this runs.
  w.memory_timer.Arm(ports_.timers, w.config->policy.memory_check_period, [this, &w] {
    CheckMemory(w);
    Settle();
  });
}

// One reading above the threshold may be a passing peak (a burst of requests, a collection about
// to run): only two in a row restart the worker, as a reading at or below it starts the count over.
void Supervisor::CheckMemory(Worker& w) {
  constexpr std::uint32_t kChecksOverToRestart = 2;
  const PolicyConfig& policy = w.config->policy;
  if (w.state != WorkerState::kStarting && w.state != WorkerState::kRunning) return;
  if (policy.memory_restart_mb == 0) return;  // the threshold was removed
  const std::uint64_t threshold = std::uint64_t{policy.memory_restart_mb} * 1024 * 1024;
  // While an intent waits for dependents to stop, the worker is about to go down: no reading is
  // taken, but the checks go on, for an intent can be called off (`start` after `stop`).
  const std::optional<std::uint64_t> used =
      w.intent ? std::nullopt : ports_.launcher.WorkingSetBytes(w.name);
  if (used && *used > threshold) {
    if (++w.process->memory_checks_over >= kChecksOverToRestart) {
      RestartForMemory(w, "working set " + FormatBytes(*used) + " above MemoryRestartMB " +
                              std::to_string(policy.memory_restart_mb) + " at " +
                              std::to_string(kChecksOverToRestart) + " checks in a row");
      return;
    }
  } else if (used) {
    w.process->memory_checks_over = 0;
  }
  ScheduleMemoryCheck(w);
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

// ---------------------------------------------------------------------------------------------
// Operator commands

template <typename Action>
std::vector<CommandResult> Supervisor::ForEachTarget(const std::vector<std::string>& names,
                                                     Action action, bool dependencies_first) {
  std::vector<std::string> targets = Targets(names);
  if (dependencies_first) {
    // `start a b` or `start all` brings up a dependency before its dependents ask for it.
    const std::vector<std::string> order = config::StartOrder(DependenciesInForce());
    auto position = [&](const std::string& name) {
      return std::find(order.begin(), order.end(), name) - order.begin();
    };
    std::stable_sort(
        targets.begin(), targets.end(),
        [&](const std::string& a, const std::string& b) { return position(a) < position(b); });
  }
  std::vector<CommandResult> results;
  for (const std::string& name : targets) {
    Worker* w = Find(name);
    if (!w) {
      results.push_back({name, CommandResult::Outcome::kNotFound, "no such worker", "", 0});
      continue;
    }
    for (CommandResult& result : action(*w)) {
      // A dependent that is named itself gets its own line, not one for its dependency.
      if (!result.dependency_of.empty() && Has(targets, result.worker)) continue;
      results.push_back(std::move(result));
    }
  }
  Settle();
  return results;
}

void Supervisor::SetStoppedByOperator(Worker& w, bool stopped) {
  if (w.stopped_by_operator == stopped) return;
  w.stopped_by_operator = stopped;
  if (Result<void> saved = ports_.state_store.SetStoppedByOperator(w.name, stopped); !saved) {
    NoteConfig(w, "operator intent not saved, so it holds only until supd restarts: " +
                      saved.error().message());
  }
}

std::optional<CommandResult> Supervisor::RefuseStart(const Worker& w) const {
  auto refuse = [&](std::string why) {
    return CommandResult{w.name, CommandResult::Outcome::kRefused, std::move(why), "", w.launches};
  };
  if (shutting_down_) return refuse("supd is stopping");
  if (w.intent && w.intent->kind == IntentKind::kRemove)
    return refuse("being removed from the configuration");
  if (!w.config)
    return refuse("disabled by a configuration error: " + w.config_errors.front().ToString());
  if (!w.config->policy.enabled) return refuse("disabled in the configuration (Enabled=0)");
  if (const std::vector<std::string> missing = MissingDependencies(w); !missing.empty()) {
    return refuse("depends on " + JoinNames(missing) + ", which is not configured");
  }
  // No wait without an end: a start that could only wait for ever is refused, saying for what.
  if (std::optional<std::string> blocking = BlockingDependency(w))
    return refuse("depends on " + *blocking);
  return std::nullopt;
}

CommandResult Supervisor::StartOne(Worker& w, std::string_view started_message) {
  if (std::optional<CommandResult> refused = RefuseStart(w)) return *refused;
  const std::uint64_t launches = w.launches;
  SetStoppedByOperator(w, false);
  auto result = [&](CommandResult::Outcome outcome, std::string message) {
    return CommandResult{w.name, outcome, std::move(message), "", launches};
  };
  switch (w.state) {
    case WorkerState::kRunning:
    case WorkerState::kStarting:
      // An operator's own pending stop is called off; any other intent goes ahead.
      if (w.intent && w.intent->kind == IntentKind::kStop && w.intent->reason == Reason::kOperator)
        w.intent.reset();
      if (w.intent && w.intent->kind == IntentKind::kStop) {
        return result(CommandResult::Outcome::kDone, "starting again once its dependencies allow");
      }
      if (w.intent) return result(CommandResult::Outcome::kAlready, "already restarting");
      return result(CommandResult::Outcome::kAlready,
                    w.state == WorkerState::kRunning ? "already running" : "already starting");
    case WorkerState::kStopping:
      SetIntent(w, Intent{IntentKind::kRestart, Reason::kOperator, {}});
      return result(CommandResult::Outcome::kDone, "starting once its stop completes");
    default:
      CancelTimers(w);
      w.next_start_at.reset();
      TryLaunch(w, Reason::kOperator);
      if (w.state == WorkerState::kStarting || w.state == WorkerState::kRunning) {
        return result(CommandResult::Outcome::kDone, std::string(started_message));
      }
      return result(CommandResult::Outcome::kDone, Describe(SnapshotOf(w)));
  }
}

std::vector<CommandResult> Supervisor::Start(const std::vector<std::string>& names) {
  return ForEachTarget(
      names, [this](Worker& w) { return std::vector<CommandResult>{StartOne(w, "started")}; },
      /*dependencies_first=*/true);
}

std::vector<CommandResult> Supervisor::Stop(const std::vector<std::string>& names) {
  return ForEachTarget(names, [this](Worker& w) {
    const std::uint64_t launches = w.launches;
    SetStoppedByOperator(w, true);
    std::vector<CommandResult> results;
    if (IsUp(w.state)) {
      SetIntent(w, Intent{IntentKind::kStop, Reason::kOperator, {}});
      results.push_back({w.name, CommandResult::Outcome::kDone, "stopping", "", launches});
      for (CommandResult& dependent : TakeDownDependents(w, "stopped"))
        results.push_back(std::move(dependent));
    } else if (w.state == WorkerState::kBackoff || w.state == WorkerState::kFailed) {
      ActOnIntentWhileDown(w, Intent{IntentKind::kStop, Reason::kOperator, {}});
      results.push_back({w.name, CommandResult::Outcome::kDone, "stopped", "", launches});
    } else {
      if (w.state != WorkerState::kStopped || w.reason != Reason::kOperator) {
        Transition(w, WorkerState::kStopped, Reason::kOperator);
      }
      results.push_back(
          {w.name, CommandResult::Outcome::kAlready, "already stopped", "", launches});
    }
    return results;
  });
}

std::vector<CommandResult> Supervisor::Restart(const std::vector<std::string>& names) {
  return ForEachTarget(
      names,
      [this](Worker& w) {
        if (std::optional<CommandResult> refused = RefuseStart(w))
          return std::vector<CommandResult>{*refused};
        if (!IsUp(w.state)) return std::vector<CommandResult>{StartOne(w, "restarted")};
        const std::uint64_t launches = w.launches;
        SetStoppedByOperator(w, false);
        SetIntent(w, Intent{IntentKind::kRestart, Reason::kOperator, {}});
        std::vector<CommandResult> results{
            {w.name, CommandResult::Outcome::kDone, "restarted", "", launches}};
        for (CommandResult& dependent : TakeDownDependents(w, "restarted"))
          results.push_back(std::move(dependent));
        return results;
      },
      /*dependencies_first=*/true);
}

std::vector<CommandResult> Supervisor::Reset(const std::vector<std::string>& names) {
  return ForEachTarget(names, [this](Worker& w) {
    const std::uint64_t launches = w.launches;
    w.restarts = 0;
    w.backoff_attempt = 0;
    w.failures.Clear();
    if ((w.state == WorkerState::kFailed || w.state == WorkerState::kBackoff) && Wanted(w)) {
      CancelTimers(w);
      w.next_start_at.reset();
      TryLaunch(w, Reason::kOperator);
      return std::vector<CommandResult>{
          {w.name, CommandResult::Outcome::kDone, "reset and started", "", launches}};
    }
    return std::vector<CommandResult>{
        {w.name, CommandResult::Outcome::kDone, "reset", "", launches}};
  });
}

// ---------------------------------------------------------------------------------------------
// Status

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
  s.wanted = Wanted(w);
  s.done = IsDone(w);
  if (w.process) {
    s.pid = w.process->pid;
    s.uptime = std::chrono::duration_cast<Millis>(now - w.process->started_at);
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
      s.pending_intent =
          intent + " once its dependents stop: " + JoinNames(UpDependents(w, /*transitive=*/false));
    }
  }
  if (s.wanted && w.state == WorkerState::kStopped) s.waiting_for = UnavailableDependencies(w);
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

// ---------------------------------------------------------------------------------------------
// Invariants

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
    if (w.state == WorkerState::kBackoff && !Wanted(w)) fail("only a wanted worker backs off");
    if (w.state == WorkerState::kFailed && w.config &&
        w.state_timer.armed() != (w.config->policy.failed_retry.count() > 0 && Wanted(w))) {
      fail("an open breaker is retried exactly when FailedRetryMs is set");
    }
    if (w.state == WorkerState::kStarting && !launching && !w.state_timer.armed() &&
        !(w.probes && w.probes->Active(ProbeKind::kStartup))) {
      fail("a start is confirmed by a timer or a startup probe");
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
        !w.memory_timer.armed()) {
      fail("a worker with MemoryRestartMB has its working set checked while it runs");
    }
    if (!starting_or_running && w.memory_timer.armed())
      fail("only a starting or running worker has its working set checked");
    // No wait without an end: an intent that has not begun its stop waits only for dependents
    // that are on their way down themselves.
    if (w.intent && (w.state == WorkerState::kStarting || w.state == WorkerState::kRunning)) {
      const std::vector<std::string> dependents = UpDependents(w, /*transitive=*/false);
      if (dependents.empty()) fail("an intent with no running dependent has begun its stop");
      for (const std::string& dependent : dependents) {
        const Worker& d = workers_.at(dependent);
        if (!d.intent && d.state != WorkerState::kStopping)
          fail("its dependent " + dependent + " is not going down");
      }
    }
    if (w.state == WorkerState::kStopped && Wanted(w) && UnavailableDependencies(w).empty()) {
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
