// Supervisor: a configuration read and applied (ApplyConfig: workers added, changed, removed,
// and the dependents of one that left), and the definitions in force.
#include "daemon/engine/supervisor.h"

#include "common/config/validate.h"
#include "common/format.h"

namespace sup::engine {

config::ConfigDiff Supervisor::ApplyConfig(const ValidatedConfig& validated) {
  const ValidatedConfig& config = validated;
  ++config_generation_;
  if (config.daemon_errors.empty() || !have_daemon_config_) {
    daemon_ = config.daemon;
    have_daemon_config_ = true;
  }
  const config::ConfigDiff diff = config::DiffConfigs(DefinitionsInForce(), config);
  invalid_in_config_ = config.invalid_workers;
  ForgetSavedStopsOfGoneWorkers(config);
  start_order_stale_ = true;  // workers and their dependencies change below
  RemoveGoneWorkers(config);
  HoldInvalidWorkers(config);
  for (const std::string& name : diff.added) AddWorker(name, config.workers.at(name));
  for (const std::string& name : diff.launch_changed)
    ChangeLaunch(workers_.at(name), config.workers.at(name));
  for (const std::string& name : diff.policy_changed)
    ChangePolicy(workers_.at(name), config.workers.at(name));
  for (const std::string& name : diff.unchanged) workers_.at(name).config_errors.clear();
  StopWorkersMissingDependencies();
  Settle();
  return diff;
}

// Operator stops saved for workers the configuration no longer has go with them, as a removal
// takes them while supd runs (Remove).
void Supervisor::ForgetSavedStopsOfGoneWorkers(const ValidatedConfig& config) {
  for (auto saved = stopped_by_operator_at_start_.begin();
       saved != stopped_by_operator_at_start_.end();) {
    if (config.workers.contains(*saved) || config.invalid_workers.contains(*saved)) {
      ++saved;
      continue;
    }
    (void)ports_.state_store.SetStoppedByOperator(*saved, false);
    saved = stopped_by_operator_at_start_.erase(saved);
  }
}

// Workers gone from the configuration, including ones that never had a valid definition.
void Supervisor::RemoveGoneWorkers(const ValidatedConfig& config) {
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
}

// Workers whose definition is invalid keep the one in force (if any), or stay down saying why.
void Supervisor::HoldInvalidWorkers(const ValidatedConfig& config) {
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
}

void Supervisor::AddWorker(const std::string& name, const WorkerConfig& definition) {
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
  AdoptDefinition(w, definition);
  if (w.state == WorkerState::kStopped && w.reason == Reason::kConfigError)
    w.reason = Reason::kNone;
  NoteConfig(w, "added");
}

void Supervisor::ChangeLaunch(Worker& w, const WorkerConfig& next) {
  AdoptDefinition(w, next);  // until the restart, probed the new way
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

void Supervisor::ChangePolicy(Worker& w, const WorkerConfig& next) {
  NoteConfig(w, "policy changed; applied without a restart");
  AdoptDefinition(w, next);  // even on its way down: until then it is probed the new way
  if (!next.policy.enabled) {
    if (w.state != WorkerState::kStopped)
      SetIntent(w, Intent{IntentKind::kStop, Reason::kConfigChanged, {}});
  } else if (w.state == WorkerState::kFailed) {
    ArmBreakerRetry(w);  // FailedRetryMs applies live
  }
}

// Workers whose dependency left the configuration go down (after their own dependents), and
// stay down with the configuration error that names it.
void Supervisor::StopWorkersMissingDependencies() {
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
}

void Supervisor::AdoptDefinition(Worker& w, const WorkerConfig& next) {
  const bool probes_changed = w.config && w.config->policy.probes != next.policy.probes;
  const bool memory_changed = w.config && MemoryChecksDiffer(*w.config, next);
  const bool notify_changed =
      w.config && (w.config->policy.notify != next.policy.notify ||
                   w.config->policy.start_timeout != next.policy.start_timeout);
  const bool watchdog_changed = w.config && w.config->policy.watchdog != next.policy.watchdog;
  w.config = next;
  w.config_errors.clear();
  if (probes_changed || notify_changed) {
    RestartProbes(w);  // checks the memory and watches the watchdog the new way too
  } else {
    if (memory_changed) ArmMemoryCheck(w);
    if (watchdog_changed) ArmWatchdog(w);
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

}  // namespace sup::engine
