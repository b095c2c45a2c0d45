// The supervision engine: every worker's state machine, restart policy, probes, dependencies,
// stop ladder, operator commands and configuration reloads. It decides; the ports act.
//
// Threading: every method, and every callback the ports make into it, runs on one executor (the
// io thread). Nothing here blocks, sleeps, reads the clock other than through Clock, or starts a
// process other than through ProcessLauncher.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "daemon/core/config_diff.h"
#include "daemon/core/config_model.h"
#include "daemon/core/dependency_graph.h"
#include "daemon/core/event.h"
#include "daemon/core/ports.h"
#include "daemon/core/restart_policy.h"
#include "daemon/core/worker_state.h"

namespace sup::core {

struct SupervisorPorts {
  const Clock& clock;
  Timers& timers;
  ProcessLauncher& launcher;
  Prober& prober;
  StateStore& state_store;
  EventSink& events;
  RandomSource& random;
};

// The outcome of an operator command for one worker: "api: restarted", "x: ERROR (no such worker)".
struct CommandResult {
  enum class Outcome { kDone, kAlready, kNotFound, kRefused };
  std::string worker;
  Outcome outcome = Outcome::kDone;
  std::string message;
  bool ok() const { return outcome == Outcome::kDone || outcome == Outcome::kAlready; }
  bool operator==(const CommandResult&) const = default;
};

// Everything the status table and JSON show about one worker.
struct WorkerSnapshot {
  std::string name;
  WorkerState state = WorkerState::kStopped;
  Reason reason = Reason::kNone;
  Millis in_state_for{};  // since the last transition
  Health health = Health::kUnknown;
  bool ready = false;
  bool wanted = false;  // supd means it to be up (enabled, not stopped by an operator, not run-once done)
  std::uint32_t pid = 0;
  Millis uptime{};
  std::uint32_t restarts = 0;
  std::optional<std::int64_t> last_exit_code;
  std::optional<Millis> next_restart_in;  // BACKOFF, or FAILED with a retry scheduled
  std::string description;
  std::vector<ConfigError> config_errors;  // of the newest definition, if it was rejected
};

class Supervisor {
 public:
  explicit Supervisor(SupervisorPorts ports);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Applies a validated configuration through its diff: added workers start (when wanted),
  // removed ones stop, launch changes restart, policy changes apply live, invalid definitions
  // change nothing. The first call starts every wanted worker.
  ConfigDiff ApplyConfig(const ValidatedConfig& config);
  // Reads, validates and applies `source`'s configuration; the diff, or why it could not be read.
  Result<ConfigDiff> Reload(ConfigSource& source);
  // Each worker's newest valid definition: a pending launch change counts as in force.
  std::map<std::string, WorkerConfig> DefinitionsInForce() const;

  // Operator commands. An empty list means every worker.
  std::vector<CommandResult> Start(const std::vector<std::string>& names);
  std::vector<CommandResult> Stop(const std::vector<std::string>& names);
  std::vector<CommandResult> Restart(const std::vector<std::string>& names);
  std::vector<CommandResult> Reset(const std::vector<std::string>& names);

  // From the launcher: the process `pid` of `worker` exited. Stale reports are ignored.
  void OnExit(const std::string& worker, std::uint32_t pid, std::int64_t exit_code);

  // Stops every worker, dependents before their dependencies, and restarts nothing afterwards.
  // `done` runs once every worker is down.
  void Shutdown(std::function<void()> done);

  std::vector<WorkerSnapshot> Snapshot() const;
  std::optional<WorkerSnapshot> Snapshot(const std::string& worker) const;
  const EventRing* RecentEvents(const std::string& worker) const;
  const DaemonConfig& daemon_config() const { return daemon_; }
  std::uint64_t config_generation() const { return config_generation_; }
  bool shutting_down() const { return shutting_down_; }

 private:
  struct ProbeState {
    std::uint32_t successes = 0;  // consecutive
    std::uint32_t failures = 0;
    Timers::Id timer = 0;
  };

  // What to do once a stop completes.
  enum class AfterStop { kStayStopped, kStart, kRemove };

  struct Worker {
    std::string name;
    std::optional<WorkerConfig> config;  // the last good definition; none: never had a valid one
    std::vector<ConfigError> config_errors;
    WorkerState state = WorkerState::kStopped;
    Reason reason = Reason::kNone;
    TimePoint since{};
    std::uint32_t pid = 0;
    TimePoint started_at{};
    TimePoint stable_since{};
    std::optional<std::int64_t> last_exit_code;
    std::string last_error;  // spawn error text, for the description
    std::uint32_t restarts = 0;
    std::uint32_t backoff_attempt = 0;
    FailureHistory failures;
    std::optional<TimePoint> next_start_at;
    Health health = Health::kUnknown;
    bool readiness_passed = false;
    bool stopped_by_operator = false;
    bool start_pending = false;  // wanted up, waiting for its dependencies
    std::optional<Reason> stop_requested;  // stop once no dependent is up
    AfterStop after_stop = AfterStop::kStayStopped;
    Reason after_stop_reason = Reason::kNone;
    std::optional<WorkerConfig> pending_config;  // launch change, applied at the restart
    std::size_t stop_step = 0;
    std::optional<Reason> killed_for;  // liveness-failed or start-timeout
    Timers::Id state_timer = 0;
    std::map<ProbeKind, ProbeState> probes;
    // Fresh values from last_generation_ per process and per stop (generation) and whenever
    // probing restarts (probe_generation): callbacks carrying an older value do nothing, even
    // after the worker was removed and re-added under the same name.
    std::uint64_t generation = 0;
    std::uint64_t probe_generation = 0;
    EventRing events;
  };

  Worker* Find(const std::string& name);
  const Worker* Find(const std::string& name) const;
  std::vector<std::string> Targets(const std::vector<std::string>& names) const;
  bool Wanted(const Worker& w) const;
  bool IsReady(const Worker& w) const;
  std::vector<std::string> UnreadyDependencies(const Worker& w) const;
  std::vector<std::string> UpDependents(const Worker& w) const;
  DependencyGraph Graph() const;

  void Transition(Worker& w, WorkerState to, Reason reason, std::string message = {});
  Event NewEvent(const Worker& w, EventKind kind) const;  // time, worker, kind and pid filled in
  void Record(Worker& w, Event event);
  void CancelTimers(Worker& w);
  void CancelProbeTimers(Worker& w);

  // Starting.
  void RequestStart(Worker& w, Reason reason);
  void Launch(Worker& w, Reason reason);
  void ConfirmStart(Worker& w);
  void StartPendingWorkers();

  // Exits and restarts.
  void HandleFailureToRun(Worker& w, Reason reason, std::int64_t exit_code, bool started_ok);
  void ScheduleRestart(Worker& w, Reason reason);
  void RestartNow(Worker& w, Reason reason);

  // Stopping.
  void RequestStop(Worker& w, Reason reason, AfterStop after, Reason after_reason = Reason::kNone);
  void AdvanceStops();
  void BeginStopLadder(Worker& w);
  void RunStopStep(Worker& w);
  // Returns true when the worker is to be removed (it left the configuration).
  bool FinishStop(Worker& w);
  void CheckShutdownDone();

  // Probes.
  void StartProbes(Worker& w, bool at_launch);
  void ScheduleProbe(Worker& w, ProbeKind kind, Millis delay);
  void OnProbeResult(const std::string& name, ProbeKind kind, std::uint64_t probe_generation,
                     const ProbeResult& result);
  void KillFor(Worker& w, Reason reason);

  // Operator commands: `action` runs for each named worker that exists.
  template <typename Action>
  std::vector<CommandResult> ForEachTarget(const std::vector<std::string>& names, Action action);
  CommandResult StartOne(Worker& w);
  void SetStoppedByOperator(Worker& w, bool stopped);  // persists the change

  std::string Describe(const Worker& w) const;

  SupervisorPorts ports_;
  std::map<std::string, Worker> workers_;
  DaemonConfig daemon_;
  std::uint64_t config_generation_ = 0;
  std::uint64_t last_generation_ = 0;
  std::set<std::string> stopped_by_operator_at_start_;
  bool shutting_down_ = false;
  std::function<void()> shutdown_done_;
};

}  // namespace sup::core
