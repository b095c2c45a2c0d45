#include "daemon/core/supervisor.h"

#include <algorithm>
#include <cstdio>

#include "common/format.h"
#include "daemon/core/config_schema.h"

namespace sup::core {
namespace {

constexpr Millis kKillRetry{5000};  // re-issue a kill whose exit has not been reported

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string FormatExitCode(std::int64_t code) {
  if (code >= 0 && code <= 0xffff) return std::to_string(code);
  char text[32];
  std::snprintf(text, sizeof(text), "%#llx", static_cast<unsigned long long>(code) & 0xffffffffULL);
  return text;
}

std::vector<StopStep> StopLadder(const PolicyConfig& policy) {
  std::vector<StopStep> steps = policy.stop_steps;
  if (steps.empty() || steps.back() != StopStep::kTerminate) steps.push_back(StopStep::kTerminate);
  return steps;
}

}  // namespace

Supervisor::Supervisor(SupervisorPorts ports)
    : ports_(ports), stopped_by_operator_at_start_(ports_.state_store.LoadStoppedByOperator()) {}

Supervisor::~Supervisor() {
  for (auto& [name, worker] : workers_) CancelTimers(worker);
}

// ---------------------------------------------------------------------------------------------
// Lookups

Supervisor::Worker* Supervisor::Find(const std::string& name) {
  const auto found = workers_.find(name);
  return found == workers_.end() ? nullptr : &found->second;
}

const Supervisor::Worker* Supervisor::Find(const std::string& name) const {
  const auto found = workers_.find(name);
  return found == workers_.end() ? nullptr : &found->second;
}

std::vector<std::string> Supervisor::Targets(const std::vector<std::string>& names) const {
  if (!names.empty()) return names;
  std::vector<std::string> all;
  for (const auto& [name, worker] : workers_) all.push_back(name);
  return all;
}

bool Supervisor::Wanted(const Worker& w) const {
  return w.config && w.config->policy.enabled && !w.stopped_by_operator && !shutting_down_;
}

bool Supervisor::IsReady(const Worker& w) const {
  if (w.state != WorkerState::kRunning) return false;
  const bool has_readiness = w.config && w.config->policy.probes.contains(ProbeKind::kReadiness);
  return !has_readiness || w.readiness_passed;
}

std::vector<std::string> Supervisor::UnreadyDependencies(const Worker& w) const {
  std::vector<std::string> unready;
  if (!w.config) return unready;
  for (const std::string& name : w.config->policy.depends_on) {
    const Worker* dependency = Find(name);
    if (!dependency || !IsReady(*dependency)) unready.push_back(name);
  }
  return unready;
}

std::vector<std::string> Supervisor::UpDependents(const Worker& w) const {
  std::vector<std::string> up;
  for (const std::string& name : TransitiveDependents(Graph(), w.name)) {
    if (IsUp(workers_.at(name).state)) up.push_back(name);
  }
  return up;
}

DependencyGraph Supervisor::Graph() const {
  DependencyGraph graph;
  for (const auto& [name, worker] : workers_) {
    graph[name] = worker.config ? worker.config->policy.depends_on : std::vector<std::string>{};
  }
  return graph;
}

// ---------------------------------------------------------------------------------------------
// Transitions and events

Event Supervisor::NewEvent(const Worker& w, EventKind kind) const {
  Event event;
  event.time = ports_.clock.SteadyNow();
  event.worker = w.name;
  event.kind = kind;
  event.pid = w.pid;
  return event;
}

void Supervisor::Record(Worker& w, Event event) {
  ports_.events.Emit(event);
  w.events.Push(std::move(event));
}

void Supervisor::Transition(Worker& w, WorkerState to, Reason reason, std::string message) {
  Event event = NewEvent(w, EventKind::kTransition);
  event.from = w.state;
  event.to = to;
  event.reason = reason;
  event.message = std::move(message);
  if (IsUp(w.state) && !IsUp(to)) {
    event.exit_code = w.last_exit_code;
    w.pid = 0;
  }
  w.state = to;
  w.reason = reason;
  w.since = event.time;
  Record(w, std::move(event));
}

void Supervisor::CancelProbeTimers(Worker& w) {
  for (auto& [kind, probe] : w.probes) {
    if (probe.timer) ports_.timers.Cancel(probe.timer);
    probe.timer = 0;
  }
  w.probe_generation = ++last_generation_;
}

void Supervisor::CancelTimers(Worker& w) {
  if (w.state_timer) ports_.timers.Cancel(w.state_timer);
  w.state_timer = 0;
  CancelProbeTimers(w);
}

// ---------------------------------------------------------------------------------------------
// Configuration

ConfigDiff Supervisor::ApplyConfig(const ValidatedConfig& config) {
  ++config_generation_;
  if (config.daemon_errors.empty() || config_generation_ == 1) daemon_ = config.daemon;

  const ConfigDiff diff = DiffConfigs(DefinitionsInForce(), config);
  auto note = [&](Worker& w, std::string message) {
    Event event = NewEvent(w, EventKind::kConfig);
    event.message = std::move(message);
    Record(w, std::move(event));
  };

  // Workers gone from the configuration, including ones that never had a valid definition.
  std::vector<std::string> gone;
  for (const auto& [name, worker] : workers_) {
    if (!config.workers.contains(name) && !config.invalid_workers.contains(name)) gone.push_back(name);
  }
  for (const std::string& name : gone) {
    Worker& w = workers_.at(name);
    if (IsUp(w.state)) {
      w.start_pending = false;
      RequestStop(w, Reason::kConfigChanged, AfterStop::kRemove);
    } else {
      CancelTimers(w);
      workers_.erase(name);
    }
  }

  for (const auto& [name, errors] : config.invalid_workers) {
    auto [it, created] = workers_.try_emplace(name);
    Worker& w = it->second;
    if (created) w.name = name;
    w.config_errors = errors;
    note(w, "configuration rejected: " + errors.front().ToString());
    if (!w.config && (w.state != WorkerState::kStopped || w.reason != Reason::kConfigError)) {
      Transition(w, WorkerState::kStopped, Reason::kConfigError, errors.front().ToString());
    }
  }

  for (const std::string& name : diff.added) {
    auto [it, created] = workers_.try_emplace(name);
    Worker& w = it->second;
    w.name = name;
    w.config = config.workers.at(name);
    w.config_errors.clear();
    w.stopped_by_operator = stopped_by_operator_at_start_.contains(name);
    w.start_pending = Wanted(w);
    if (w.state == WorkerState::kStopped && w.reason == Reason::kConfigError) w.reason = Reason::kNone;
    note(w, "added");
  }

  for (const std::string& name : diff.launch_changed) {
    Worker& w = workers_.at(name);
    const WorkerConfig& next = config.workers.at(name);
    w.config_errors.clear();
    note(w, "launch settings changed");
    const bool wanted_next = next.policy.enabled && !w.stopped_by_operator && !shutting_down_;
    if (IsUp(w.state)) {
      w.pending_config = next;
      RequestStop(w, Reason::kConfigChanged, wanted_next ? AfterStop::kStart : AfterStop::kStayStopped,
                  Reason::kConfigChanged);
    } else {
      w.config = next;
      w.pending_config.reset();
    }
  }

  for (const std::string& name : diff.policy_changed) {
    Worker& w = workers_.at(name);
    const WorkerConfig& next = config.workers.at(name);
    w.config_errors.clear();
    note(w, "policy changed; applied without a restart");
    if (w.pending_config) {
      w.pending_config = next;  // a launch change is pending: the restart uses the newest definition
      continue;
    }
    const bool was_enabled = w.config->policy.enabled;
    const bool probes_changed = w.config->policy.probes != next.policy.probes;
    w.config = next;
    if (was_enabled && !next.policy.enabled) {
      w.start_pending = false;
      RequestStop(w, Reason::kConfigChanged, AfterStop::kStayStopped);
    } else if (!was_enabled && next.policy.enabled) {
      w.start_pending = Wanted(w);
    }
    if (probes_changed && (w.state == WorkerState::kStarting || w.state == WorkerState::kRunning)) {
      CancelProbeTimers(w);
      w.probes.clear();
      w.readiness_passed = false;
      w.health = Health::kUnknown;
      StartProbes(w, /*at_launch=*/w.state == WorkerState::kStarting);
      if (w.state == WorkerState::kRunning && next.policy.probes.contains(ProbeKind::kStartup)) {
        StartProbes(w, /*at_launch=*/false);
      }
    }
  }

  for (const std::string& name : diff.unchanged) workers_.at(name).config_errors.clear();

  StartPendingWorkers();
  AdvanceStops();
  return diff;
}

std::map<std::string, WorkerConfig> Supervisor::DefinitionsInForce() const {
  std::map<std::string, WorkerConfig> definitions;
  for (const auto& [name, worker] : workers_) {
    if (worker.config) definitions.emplace(name, worker.pending_config.value_or(*worker.config));
  }
  return definitions;
}

Result<ConfigDiff> Supervisor::Reload(ConfigSource& source) {
  Result<RawConfig> raw = source.Read();
  if (!raw) return raw.error().WithContext("reading the configuration");
  return ApplyConfig(ValidateConfig(*raw));
}

// ---------------------------------------------------------------------------------------------
// Starting

void Supervisor::RequestStart(Worker& w, Reason reason) {
  w.start_pending = true;
  if (shutting_down_) return;
  const std::vector<std::string> unready = UnreadyDependencies(w);
  if (!unready.empty()) {
    if (w.state == WorkerState::kBackoff || w.state == WorkerState::kFailed) CancelTimers(w);
    w.next_start_at.reset();
    if (w.state != WorkerState::kStopped || w.reason != Reason::kDependency) {
      Transition(w, WorkerState::kStopped, Reason::kDependency, "waiting for " + Join(unready));
    }
    return;
  }
  Launch(w, reason);
}

void Supervisor::Launch(Worker& w, Reason reason) {
  CancelTimers(w);
  w.start_pending = false;
  w.next_start_at.reset();
  w.killed_for.reset();
  if (w.pending_config) {
    w.config = std::move(*w.pending_config);
    w.pending_config.reset();
  }
  w.generation = ++last_generation_;
  w.probes.clear();
  w.health = Health::kUnknown;
  w.readiness_passed = false;
  Result<std::uint32_t> pid = ports_.launcher.Launch(w.name, w.config->launch);
  if (!pid) {
    w.last_error = pid.error().message();
    HandleFailureToRun(w, Reason::kSpawnError, -1, /*started_ok=*/false);
    return;
  }
  w.last_error.clear();
  w.pid = *pid;
  w.started_at = ports_.clock.SteadyNow();
  Transition(w, WorkerState::kStarting, reason);

  const PolicyConfig& policy = w.config->policy;
  StartProbes(w, /*at_launch=*/true);
  if (policy.probes.contains(ProbeKind::kStartup)) return;  // the startup probe decides
  if (policy.start_time.count() == 0) {
    ConfirmStart(w);
    return;
  }
  w.state_timer = ports_.timers.Schedule(policy.start_time, [this, name = w.name, generation = w.generation] {
    Worker* worker = Find(name);
    if (!worker || worker->generation != generation || worker->state != WorkerState::kStarting) return;
    worker->state_timer = 0;
    ConfirmStart(*worker);
  });
}

void Supervisor::ConfirmStart(Worker& w) {
  if (w.state_timer) ports_.timers.Cancel(w.state_timer);
  w.state_timer = 0;
  w.stable_since = ports_.clock.SteadyNow();
  Transition(w, WorkerState::kRunning, w.reason);
  if (w.config->policy.probes.contains(ProbeKind::kStartup)) StartProbes(w, /*at_launch=*/false);
  StartPendingWorkers();
}

void Supervisor::StartPendingWorkers() {
  // Called after every exit and start: cheap unless some worker is actually waiting.
  const bool any_pending =
      std::any_of(workers_.begin(), workers_.end(), [](const auto& entry) { return entry.second.start_pending; });
  if (!any_pending) return;
  for (const std::string& name : StartOrder(Graph())) {
    Worker* w = Find(name);
    if (!w || !w->start_pending || !Wanted(*w) || IsUp(w->state)) continue;
    if (w->state == WorkerState::kBackoff || w->state == WorkerState::kFailed) continue;  // their timer restarts them
    RequestStart(*w, w->reason);  // "dependency" when it waited for one
  }
}

// ---------------------------------------------------------------------------------------------
// Exits and restarts

void Supervisor::OnExit(const std::string& name, std::uint32_t pid, std::int64_t exit_code) {
  Worker* w = Find(name);
  if (!w || w->pid != pid || !IsUp(w->state)) return;  // stale: an earlier process of the worker
  CancelTimers(*w);
  w->generation = ++last_generation_;
  w->last_exit_code = exit_code;
  bool remove = false;
  if (w->state == WorkerState::kStopping) {
    remove = FinishStop(*w);
  } else {
    const TimePoint now = ports_.clock.SteadyNow();
    const PolicyConfig& policy = w->config->policy;
    if (w->state == WorkerState::kRunning && w->health != Health::kUnhealthy &&
        now - w->stable_since >= policy.stable_after) {
      w->backoff_attempt = 0;  // it ran stably: the backoff starts over
    }
    const bool started_ok = w->state == WorkerState::kRunning && !w->killed_for;
    HandleFailureToRun(*w, w->killed_for.value_or(Reason::kExited), exit_code, started_ok);
  }
  if (remove) workers_.erase(name);
  AdvanceStops();
  StartPendingWorkers();
  CheckShutdownDone();
}

void Supervisor::HandleFailureToRun(Worker& w, Reason reason, std::int64_t exit_code, bool started_ok) {
  w.health = Health::kUnknown;
  w.readiness_passed = false;
  if (shutting_down_) {
    Transition(w, WorkerState::kStopped, Reason::kShutdown);
    return;
  }
  const TimePoint now = ports_.clock.SteadyNow();
  const PolicyConfig& policy = w.config->policy;
  switch (DecideOnExit(policy, exit_code, started_ok, w.failures, now)) {
    case ExitVerdict::kStayDown:
      Transition(w, WorkerState::kExited, reason);
      return;
    case ExitVerdict::kRestart:
      ScheduleRestart(w, reason);
      return;
    case ExitVerdict::kOpenBreaker: {
      Transition(w, WorkerState::kFailed, Reason::kBreakerOpen,
                 std::to_string(policy.max_failures) + " failures within " + FormatDelay(policy.failure_window));
      if (policy.failed_retry.count() == 0) return;
      w.next_start_at = now + policy.failed_retry;
      w.state_timer = ports_.timers.Schedule(policy.failed_retry, [this, name = w.name] {
        Worker* worker = Find(name);
        if (!worker || worker->state != WorkerState::kFailed) return;
        worker->state_timer = 0;
        RestartNow(*worker, Reason::kBreakerOpen);
      });
      return;
    }
  }
}

void Supervisor::ScheduleRestart(Worker& w, Reason reason) {
  const Millis delay = BackoffDelay(w.config->policy, w.backoff_attempt, ports_.random.NextUnit());
  w.backoff_attempt = std::min<std::uint32_t>(w.backoff_attempt + 1, 64);
  w.next_start_at = ports_.clock.SteadyNow() + delay;
  Transition(w, WorkerState::kBackoff, reason, "restart in " + FormatDelay(delay));
  w.state_timer = ports_.timers.Schedule(delay, [this, name = w.name] {
    Worker* worker = Find(name);
    if (!worker || worker->state != WorkerState::kBackoff) return;
    worker->state_timer = 0;
    RestartNow(*worker, worker->reason);
  });
}

void Supervisor::RestartNow(Worker& w, Reason reason) {
  ++w.restarts;
  w.next_start_at.reset();
  RequestStart(w, reason);
}

// ---------------------------------------------------------------------------------------------
// Stopping

void Supervisor::RequestStop(Worker& w, Reason reason, AfterStop after, Reason after_reason) {
  switch (w.state) {
    case WorkerState::kStarting:
    case WorkerState::kRunning:
      w.stop_requested = reason;
      w.after_stop = after;
      w.after_stop_reason = after_reason;
      AdvanceStops();
      return;
    case WorkerState::kStopping:
      if (after != AfterStop::kStayStopped || w.after_stop == AfterStop::kStart) {
        w.after_stop = after;
        w.after_stop_reason = after_reason;
      }
      return;
    case WorkerState::kBackoff:
    case WorkerState::kFailed:
    case WorkerState::kStopped:
    case WorkerState::kExited:
      CancelTimers(w);
      w.next_start_at.reset();
      if (after == AfterStop::kStart) {
        RequestStart(w, after_reason);
      } else if (w.state != WorkerState::kStopped || w.reason != reason) {
        Transition(w, WorkerState::kStopped, reason);
      }
      return;
  }
}

// Begins the stop of every worker asked to stop whose dependents are all down already.
void Supervisor::AdvanceStops() {
  for (auto& [name, w] : workers_) {
    if (!w.stop_requested || (w.state != WorkerState::kStarting && w.state != WorkerState::kRunning)) continue;
    if (UpDependents(w).empty()) BeginStopLadder(w);
  }
}

void Supervisor::BeginStopLadder(Worker& w) {
  const Reason reason = *w.stop_requested;
  w.stop_requested.reset();
  CancelTimers(w);
  w.generation = ++last_generation_;
  w.stop_step = 0;
  Transition(w, WorkerState::kStopping, reason);
  RunStopStep(w);
}

void Supervisor::RunStopStep(Worker& w) {
  const std::vector<StopStep> ladder = StopLadder(w.config->policy);
  const std::size_t index = std::min(w.stop_step, ladder.size() - 1);
  const StopStep step = ladder[index];
  auto next = [this, name = w.name, generation = w.generation] {
    Worker* worker = Find(name);
    if (!worker || worker->generation != generation || worker->state != WorkerState::kStopping) return;
    worker->state_timer = 0;
    ++worker->stop_step;
    RunStopStep(*worker);
  };
  if (step == StopStep::kTerminate) {
    ports_.launcher.Kill(w.name);
    w.state_timer = ports_.timers.Schedule(kKillRetry, next);  // stays on terminate: kills again
    return;
  }
  ports_.launcher.RequestStop(w.name, step);
  const std::size_t soft_steps = ladder.size() - 1;
  w.state_timer = ports_.timers.Schedule(w.config->policy.stop_timeout / static_cast<long>(soft_steps), next);
}

bool Supervisor::FinishStop(Worker& w) {
  w.health = Health::kUnknown;
  w.readiness_passed = false;
  const AfterStop after = w.after_stop;
  w.after_stop = AfterStop::kStayStopped;
  Transition(w, WorkerState::kStopped, w.reason);
  if (after == AfterStop::kRemove) return true;
  if (after == AfterStop::kStart && !shutting_down_ && Wanted(w)) RequestStart(w, w.after_stop_reason);
  return false;
}

void Supervisor::Shutdown(std::function<void()> done) {
  shutting_down_ = true;
  shutdown_done_ = std::move(done);
  for (auto& [name, w] : workers_) {
    w.start_pending = false;
    if (w.state == WorkerState::kStarting || w.state == WorkerState::kRunning) {
      w.stop_requested = Reason::kShutdown;
      w.after_stop = AfterStop::kStayStopped;
    } else if (w.state == WorkerState::kStopping) {
      w.after_stop = AfterStop::kStayStopped;
    } else if (w.state == WorkerState::kBackoff || w.state == WorkerState::kFailed ||
               (w.state == WorkerState::kStopped && w.reason == Reason::kDependency)) {
      CancelTimers(w);
      w.next_start_at.reset();
      Transition(w, WorkerState::kStopped, Reason::kShutdown);
    }
  }
  AdvanceStops();
  CheckShutdownDone();
}

void Supervisor::CheckShutdownDone() {
  if (!shutting_down_ || !shutdown_done_) return;
  for (const auto& [name, w] : workers_) {
    if (IsUp(w.state)) return;
  }
  std::function<void()> done = std::move(shutdown_done_);
  shutdown_done_ = nullptr;
  done();
}

// ---------------------------------------------------------------------------------------------
// Probes

void Supervisor::StartProbes(Worker& w, bool at_launch) {
  const auto& probes = w.config->policy.probes;
  const bool has_startup = probes.contains(ProbeKind::kStartup);
  for (const auto& [kind, probe] : probes) {
    const bool startup = kind == ProbeKind::kStartup;
    // With a startup probe, liveness and readiness wait until it passes (Kubernetes semantics).
    const bool now = at_launch ? (startup || !has_startup) : !startup;
    if (now) ScheduleProbe(w, kind, probe.initial_delay);
  }
}

void Supervisor::ScheduleProbe(Worker& w, ProbeKind kind, Millis delay) {
  ProbeState& probe = w.probes[kind];
  probe.timer = ports_.timers.Schedule(delay, [this, name = w.name, kind, generation = w.probe_generation] {
    Worker* worker = Find(name);
    if (!worker || worker->probe_generation != generation) return;
    worker->probes[kind].timer = 0;
    const auto config = worker->config->policy.probes.find(kind);
    if (config == worker->config->policy.probes.end()) return;
    ports_.prober.Run(name, config->second, [this, name, kind, generation](ProbeResult result) {
      OnProbeResult(name, kind, generation, result);
    });
  });
}

void Supervisor::OnProbeResult(const std::string& name, ProbeKind kind, std::uint64_t probe_generation,
                               const ProbeResult& result) {
  Worker* found = Find(name);
  if (!found || found->probe_generation != probe_generation) return;
  Worker& w = *found;
  if (w.state != WorkerState::kStarting && w.state != WorkerState::kRunning) return;
  const auto config_it = w.config->policy.probes.find(kind);
  if (config_it == w.config->policy.probes.end()) return;
  const ProbeConfig& config = config_it->second;
  ProbeState& probe = w.probes[kind];
  if (result.success) {
    ++probe.successes;
    probe.failures = 0;
  } else {
    ++probe.failures;
    probe.successes = 0;
  }
  Event event = NewEvent(w, EventKind::kProbe);
  event.probe = kind;
  event.probe_success = result.success;
  event.message = result.message;
  Record(w, std::move(event));

  const bool passes = result.success && probe.successes >= config.success_threshold;
  const bool fails = !result.success && probe.failures >= config.failure_threshold;
  switch (kind) {
    case ProbeKind::kStartup:
      if (passes) {
        ConfirmStart(w);
        return;
      }
      if (fails) {
        KillFor(w, Reason::kStartTimeout);
        return;
      }
      break;
    case ProbeKind::kLiveness:
      if (passes && w.health != Health::kHealthy) {
        if (w.health == Health::kUnhealthy) w.stable_since = ports_.clock.SteadyNow();
        w.health = Health::kHealthy;
      } else if (fails) {
        w.health = Health::kUnhealthy;
        KillFor(w, Reason::kLivenessFailed);
        return;
      }
      break;
    case ProbeKind::kReadiness:
      if (passes && !w.readiness_passed) {
        w.readiness_passed = true;
        if (w.state == WorkerState::kStarting && !w.config->policy.probes.contains(ProbeKind::kStartup)) {
          ConfirmStart(w);  // a passing readiness probe confirms the start early
        } else {
          StartPendingWorkers();
        }
      } else if (fails) {
        w.readiness_passed = false;
      }
      break;
  }
  if (w.probe_generation == probe_generation) ScheduleProbe(w, kind, config.period);
}

void Supervisor::KillFor(Worker& w, Reason reason) {
  w.killed_for = reason;
  CancelProbeTimers(w);
  ports_.launcher.Kill(w.name);
}

// ---------------------------------------------------------------------------------------------
// Operator commands

template <typename Action>
std::vector<CommandResult> Supervisor::ForEachTarget(const std::vector<std::string>& names, Action action) {
  std::vector<CommandResult> results;
  for (const std::string& name : Targets(names)) {
    Worker* w = Find(name);
    results.push_back(w ? action(*w) : CommandResult{name, CommandResult::Outcome::kNotFound, "no such worker"});
  }
  return results;
}

void Supervisor::SetStoppedByOperator(Worker& w, bool stopped) {
  if (w.stopped_by_operator == stopped) return;
  w.stopped_by_operator = stopped;
  ports_.state_store.SetStoppedByOperator(w.name, stopped);
}

CommandResult Supervisor::StartOne(Worker& w) {
  if (shutting_down_) return {w.name, CommandResult::Outcome::kRefused, "supd is stopping"};
  if (!w.config) {
    return {w.name, CommandResult::Outcome::kRefused,
            "disabled by a configuration error: " + w.config_errors.front().ToString()};
  }
  if (!w.config->policy.enabled) {
    return {w.name, CommandResult::Outcome::kRefused, "disabled in the configuration (Enabled=0)"};
  }
  SetStoppedByOperator(w, false);
  switch (w.state) {
    case WorkerState::kRunning:
      return {w.name, CommandResult::Outcome::kAlready, "already running"};
    case WorkerState::kStarting:
      return {w.name, CommandResult::Outcome::kAlready, "already starting"};
    case WorkerState::kStopping:
      w.after_stop = AfterStop::kStart;
      w.after_stop_reason = Reason::kOperator;
      return {w.name, CommandResult::Outcome::kDone, "starting once its stop completes"};
    default:
      RequestStart(w, Reason::kOperator);
      return {w.name, CommandResult::Outcome::kDone,
              w.state == WorkerState::kStopped ? Describe(w) : std::string("started")};
  }
}

std::vector<CommandResult> Supervisor::Start(const std::vector<std::string>& names) {
  return ForEachTarget(names, [this](Worker& w) { return StartOne(w); });
}

std::vector<CommandResult> Supervisor::Stop(const std::vector<std::string>& names) {
  return ForEachTarget(names, [this](Worker& w) -> CommandResult {
    SetStoppedByOperator(w, true);
    w.start_pending = false;
    const bool down = !IsUp(w.state) && w.state != WorkerState::kBackoff && w.state != WorkerState::kFailed;
    if (down) {
      if (w.state != WorkerState::kStopped || w.reason != Reason::kOperator) {
        Transition(w, WorkerState::kStopped, Reason::kOperator);
      }
      return {w.name, CommandResult::Outcome::kAlready, "already stopped"};
    }
    // Dependents go first; they stay wanted, and start again once this worker is back.
    std::vector<std::string> stopped_dependents;
    for (const std::string& dependent : UpDependents(w)) {
      Worker& d = workers_.at(dependent);
      d.start_pending = Wanted(d);
      RequestStop(d, Reason::kDependency, AfterStop::kStayStopped);
      stopped_dependents.push_back(dependent);
    }
    RequestStop(w, Reason::kOperator, AfterStop::kStayStopped);
    std::string message = IsUp(w.state) ? "stopping" : "stopped";
    if (!stopped_dependents.empty()) message += " after its dependents " + Join(stopped_dependents);
    return {w.name, CommandResult::Outcome::kDone, message};
  });
}

std::vector<CommandResult> Supervisor::Restart(const std::vector<std::string>& names) {
  return ForEachTarget(names, [this](Worker& w) -> CommandResult {
    if (shutting_down_ || !w.config || !w.config->policy.enabled || !IsUp(w.state)) {
      CommandResult started = StartOne(w);
      if (started.ok() && started.message == "started") started.message = "restarted";
      return started;
    }
    SetStoppedByOperator(w, false);
    RequestStop(w, Reason::kOperator, AfterStop::kStart, Reason::kOperator);
    return {w.name, CommandResult::Outcome::kDone, "restarting"};
  });
}

std::vector<CommandResult> Supervisor::Reset(const std::vector<std::string>& names) {
  return ForEachTarget(names, [this](Worker& w) -> CommandResult {
    w.restarts = 0;
    w.backoff_attempt = 0;
    w.failures.Clear();
    if ((w.state == WorkerState::kFailed || w.state == WorkerState::kBackoff) && Wanted(w)) {
      RequestStart(w, Reason::kOperator);
      return {w.name, CommandResult::Outcome::kDone, "reset and started"};
    }
    return {w.name, CommandResult::Outcome::kDone, "reset"};
  });
}

// ---------------------------------------------------------------------------------------------
// Status

std::string Supervisor::Describe(const Worker& w) const {
  const TimePoint now = ports_.clock.SteadyNow();
  std::string text;
  switch (w.state) {
    case WorkerState::kStarting:
      text = "pid " + std::to_string(w.pid) + ", starting for " + FormatDelay(std::chrono::duration_cast<Millis>(now - w.started_at));
      break;
    case WorkerState::kRunning:
      text = "pid " + std::to_string(w.pid) + ", uptime " + FormatUptime(std::chrono::duration_cast<Millis>(now - w.started_at));
      break;
    case WorkerState::kStopping: {
      const std::vector<StopStep> ladder = StopLadder(w.config->policy);
      const std::size_t index = std::min(w.stop_step, ladder.size() - 1);
      text = "stopping: " + std::string(NameOf(ladder[index], kStopStepNames)) + " (step " + std::to_string(index + 1) +
             " of " + std::to_string(ladder.size()) + ")";
      break;
    }
    case WorkerState::kBackoff:
      text = "backoff: attempt " + std::to_string(w.backoff_attempt) + ", next in " +
             FormatDelay(std::chrono::duration_cast<Millis>(w.next_start_at.value_or(now) - now));
      break;
    case WorkerState::kFailed:
      text = "circuit breaker open; " +
             (w.next_start_at ? "retry in " + FormatDelay(std::chrono::duration_cast<Millis>(*w.next_start_at - now))
                              : std::string("no automatic retry (supctl reset or start)"));
      break;
    case WorkerState::kExited:
      text = "exited";
      break;
    case WorkerState::kStopped:
      if (!w.config && !w.config_errors.empty()) {
        return "configuration error: " + w.config_errors.front().ToString();
      } else if (w.config && !w.config->policy.enabled) {
        text = "disabled (Enabled=0)";
      } else if (w.reason == Reason::kDependency && w.start_pending) {
        text = "waiting for " + Join(UnreadyDependencies(w));
      } else if (w.stopped_by_operator) {
        text = "stopped by operator";
      } else {
        text = "stopped";
      }
      break;
  }
  const bool down = !IsUp(w.state);
  if (down && !w.last_error.empty()) {
    text += "; spawn error: " + w.last_error;
  } else if (down && w.state != WorkerState::kStopped && w.last_exit_code) {
    text += "; last exit code " + FormatExitCode(*w.last_exit_code);
  }
  if (w.config && !w.config_errors.empty()) {
    text += "; new configuration rejected: " + w.config_errors.front().ToString();
  }
  return text;
}

std::optional<WorkerSnapshot> Supervisor::Snapshot(const std::string& name) const {
  const Worker* w = Find(name);
  if (!w) return std::nullopt;
  const TimePoint now = ports_.clock.SteadyNow();
  WorkerSnapshot snapshot;
  snapshot.name = w->name;
  snapshot.state = w->state;
  snapshot.reason = w->reason;
  snapshot.in_state_for = std::chrono::duration_cast<Millis>(now - w->since);
  snapshot.health = w->health;
  snapshot.ready = IsReady(*w);
  snapshot.wanted = Wanted(*w);
  snapshot.pid = w->pid;
  if (IsUp(w->state)) snapshot.uptime = std::chrono::duration_cast<Millis>(now - w->started_at);
  snapshot.restarts = w->restarts;
  snapshot.last_exit_code = w->last_exit_code;
  if (w->next_start_at) snapshot.next_restart_in = std::chrono::duration_cast<Millis>(*w->next_start_at - now);
  snapshot.description = Describe(*w);
  snapshot.config_errors = w->config_errors;
  return snapshot;
}

std::vector<WorkerSnapshot> Supervisor::Snapshot() const {
  std::vector<WorkerSnapshot> snapshots;
  snapshots.reserve(workers_.size());
  for (const auto& [name, worker] : workers_) snapshots.push_back(*Snapshot(name));
  return snapshots;
}

const EventRing* Supervisor::RecentEvents(const std::string& name) const {
  const Worker* w = Find(name);
  return w ? &w->events : nullptr;
}

}  // namespace sup::core
