// The supervision engine's coordinator: applies configurations, operator commands, process exits,
// probe results and timers to each worker's state machine (worker.h), and keeps the rules that
// span workers: dependencies start first and stop last, anything that takes a worker down on
// purpose takes its running dependents down first, and nothing waits without an end.
//
// Each worker is one state plus at most one pending intent (worker.h). After every entry point
// the engine settles: up workers whose intent may act begin their stop, and stopped workers that
// are wanted and whose dependencies run and are ready start. CheckInvariants states what must
// then hold; the model tests (tests/model/) check it after every step of random schedules.
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
#include "common/config/config_diff.h"
#include "common/config/config_model.h"
#include "common/config/dependency_graph.h"
#include "daemon/engine/event.h"
#include "daemon/engine/ports.h"
#include "daemon/engine/worker.h"
#include "daemon/engine/worker_rules.h"
#include "daemon/engine/worker_snapshot.h"

namespace sup::engine {

struct SupervisorPorts {
  const Clock& clock;
  Timers& timers;
  ProcessLauncher& launcher;
  Prober& prober;
  config::StateStore& state_store;
  EventSink& events;
  RandomSource& random;
};

// The outcome of an operator command for one worker: "api: restarted", "x: ERROR (no such worker)".
// Code acts on the outcome and the fields; `message` is for people only.
struct CommandResult {
  enum class Outcome { kDone, kAlready, kNotFound, kRefused };
  std::string worker;
  Outcome outcome = Outcome::kDone;
  std::string message;
  std::string dependency_of;   // acted on because it depends on this worker, which was named
  std::uint64_t launches = 0;  // the worker's launch count when the command was accepted
  bool ok() const { return outcome == Outcome::kDone || outcome == Outcome::kAlready; }
  bool operator==(const CommandResult&) const = default;
};

class Supervisor final : public LauncherEvents {
 public:
  explicit Supervisor(SupervisorPorts ports);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Applies a validated configuration through its diff: added workers start (when wanted),
  // removed ones stop (their dependents first) and go, launch changes restart (their dependents
  // too), policy changes apply live, invalid definitions change nothing. The first call starts
  // every wanted worker. `validated` comes from ReadConfig (a first configuration, with nothing in
  // force, may come straight from config::ReadConfig).
  config::ConfigDiff ApplyConfig(const ValidatedConfig& validated);
  // `source`'s configuration as the engine would apply it: validated against the daemon values in
  // force, with new definitions that would close a dependency cycle through a kept one rejected.
  // Reloads, `supctl reread` and `supctl update` all read it this way; ApplyConfig applies it.
  Result<ValidatedConfig> ReadConfig(config::ConfigSource& source) const;
  // supd runs as `supd_account`, which cannot log other accounts on (no SeTcbPrivilege): from now
  // on ReadConfig refuses workers whose Account is not LocalSystem
  // (config::RefuseAccountsSupdCannotLogOn).
  void RefuseOtherAccounts(std::string supd_account) {
    account_without_logon_ = std::move(supd_account);
  }
  // Each worker's newest valid definition, workers on their way out excluded.
  std::map<std::string, WorkerConfig> DefinitionsInForce() const;
  // Each worker's dependencies in force, workers on their way out included.
  config::DependencyGraph DependenciesInForce() const;

  // Operator commands. An empty list means every worker. Besides one result per named worker,
  // Stop and Restart return one for each running dependent they take down first.
  std::vector<CommandResult> Start(const std::vector<std::string>& names);
  std::vector<CommandResult> Stop(const std::vector<std::string>& names);
  std::vector<CommandResult> Restart(const std::vector<std::string>& names);
  std::vector<CommandResult> Reset(const std::vector<std::string>& names);

  // LauncherEvents: the launcher's reports. Stale ones (about a process the worker no longer
  // has) are ignored. A memory limit restarts the worker through its stop ladder (reason
  // memory-limit); an undelivered stop step makes the ladder go on to its next step now instead
  // of waiting out this one's share of StopTimeoutMs; an output problem goes to the worker's
  // recent events and to the event sink.
  void OnLaunched(const std::string& worker, Result<std::uint32_t> pid) override;
  void OnExit(const std::string& worker, std::uint32_t pid, std::int64_t exit_code) override;
  void OnMemoryLimit(const std::string& worker, std::uint32_t pid) override;
  void OnStopStepUndelivered(const std::string& worker, std::uint32_t pid, StopStep step) override;
  void OnOutputProblem(const std::string& worker, std::string message, bool healed) override;
  // READY=1 confirms a Notify=1 start (once its other checks passed); WATCHDOG=1 re-arms
  // WatchdogMs; STOPPING=1 ends the watchdog for this process; STATUS= is shown in its status.
  void OnNotify(const std::string& worker, std::uint32_t pid, NotifyMessage message) override;

  // Stops every worker, dependents before their dependencies, and restarts nothing afterwards.
  // `done` runs once every worker is down.
  void Shutdown(std::function<void()> done);

  std::vector<WorkerSnapshot> Snapshot() const;
  std::optional<WorkerSnapshot> Snapshot(const std::string& worker) const;
  // The worker's recent transitions, configuration changes and probe events, oldest first.
  std::vector<Event> RecentEvents(const std::string& worker) const;
  const DaemonConfig& daemon_config() const { return daemon_; }
  std::uint64_t config_generation() const { return config_generation_; }
  bool shutting_down() const { return shutting_down_; }

  // What must hold whenever the engine is idle (after any entry point returns): one line per
  // broken rule, none when all hold.
  std::vector<std::string> CheckInvariants() const;

 private:
  Worker* Find(const std::string& name);
  const Worker* Find(const std::string& name) const;
  std::vector<std::string> Targets(const std::vector<std::string>& names) const;

  // The workers as the predicates of worker_rules.h read them.
  WorkersView view() const { return {workers_, shutting_down_}; }

  void Transition(Worker& w, WorkerState to, Reason reason, std::string message = {});
  Event NewEvent(const Worker& w, EventKind kind) const;  // time, worker, kind and pid filled in
  void Record(Worker& w, Event event);
  void NoteConfig(Worker& w, std::string message);
  void CancelTimers(Worker& w);
  void CancelProbes(Worker& w);
  // Arms `w`'s state timer: `step` runs when it fires unless called off, then the engine settles.
  void ArmStateTimer(Worker& w, Millis delay, void (Supervisor::*step)(Worker&));

  // The pass after every entry point: intents that may act begin their stops, wanted workers
  // whose dependencies allow start, and a finished shutdown reports itself.
  void Settle();
  bool AdvanceIntents();       // true if anything changed
  bool StartWaitingWorkers();  // true if anything changed

  // Intents.
  void SetIntent(Worker& w, Intent intent);
  // Stops `w`'s running dependents (transitively) for its intent; their results, for commands.
  std::vector<CommandResult> TakeDownDependents(Worker& w, std::string_view done_message);
  void ActOnIntentWhileDown(Worker& w, const Intent& intent);
  void CompleteIntent(Worker& w, Intent intent);  // its process is gone
  // Forgets a worker that left the configuration; one that is back, invalid, stays listed.
  void Remove(Worker& w);

  // Starting.
  void TryLaunch(Worker& w, Reason reason);
  void Launch(Worker& w, Reason reason);
  // The process has its pid: probes, the start timer and memory checks begin.
  void WatchStart(Worker& w);
  // How a STARTING worker's start is confirmed: its startup probe (begun already), StartSeconds,
  // and with Notify=1 READY=1 as well, within StartTimeoutMs.
  void ArmStartConfirmation(Worker& w);
  void OnStartTimeElapsed(Worker& w);
  // Confirms the start, or with Notify=1 before READY=1 notes that only READY=1 is left.
  void ConfirmStart(Worker& w);

  // Notify (supervisor_notify.cc).
  void RecordNotify(Worker& w, std::string message);
  void OnReadyTimeElapsed(Worker& w);  // StartTimeoutMs without READY=1
  void ArmWatchdog(Worker& w);         // (re)arms WatchdogMs for a RUNNING worker, per its policy
  void OnWatchdogElapsed(Worker& w);

  // Exits and restarts.
  void HandleFailureToRun(Worker& w, Reason reason, std::int64_t exit_code, bool started_ok);
  void OnBackoffElapsed(Worker& w);
  void ArmBreakerRetry(Worker& w);  // from now, per the policy in force
  void OnFailedRetryElapsed(Worker& w);

  // Stopping.
  void BeginStop(Worker& w, Reason reason, std::string message = {});
  void RunStopStep(Worker& w);
  void OnStopStepElapsed(Worker& w);
  void KillFor(Worker& w, Reason reason);

  // Memory (the checks are MemoryWatch's; the restart when a threshold or the limit is passed is
  // decided here).
  void ArmMemoryCheck(Worker& w);  // (re)starts the checks of an up worker per its policy
  static bool MemoryChecksDiffer(const WorkerConfig& a, const WorkerConfig& b);
  // The steps of ApplyConfig, in its order (supervisor_config.cc).
  void ForgetSavedStopsOfGoneWorkers(const ValidatedConfig& config);
  void RemoveGoneWorkers(const ValidatedConfig& config);
  void HoldInvalidWorkers(const ValidatedConfig& config);
  void AddWorker(const std::string& name, const WorkerConfig& definition);
  void ChangeLaunch(Worker& w, const WorkerConfig& next);
  void ChangePolicy(Worker& w, const WorkerConfig& next);
  void StopWorkersMissingDependencies();
  // Takes `next` as `w`'s definition (a valid one: its errors go), and re-arms what the change
  // means for a process that runs on: its probes, or else its memory checks. The one way a
  // reload changes a definition.
  void AdoptDefinition(Worker& w, const WorkerConfig& next);
  // Stops `w` through its ladder for `reason` (memory, watchdog, a start that never said
  // READY=1); its exit is a failure.
  void RestartAsFailure(Worker& w, Reason reason, std::string why);

  // Probes (the scheduling is ProbeScheduler's; what results mean for the worker is here).
  void StartProbes(Worker& w, bool at_launch);
  // The probes of a new definition replace the running ones of a STARTING or RUNNING worker.
  void RestartProbes(Worker& w);
  void OnProbeOutcome(Worker& w, const ProbeScheduler::Outcome& outcome);
  void RecordProbeEvent(Worker& w, const ProbeScheduler::Outcome& outcome);

  // Operator commands: `action` runs for each named worker that exists.
  template <typename Action>
  std::vector<CommandResult> ForEachTarget(const std::vector<std::string>& names, Action action,
                                           bool dependencies_first = false);
  std::optional<CommandResult> RefuseStart(const Worker& w) const;
  CommandResult StartOne(Worker& w, std::string_view started_message);
  void SetStoppedByOperator(Worker& w, bool stopped);  // persists the change

  WorkerSnapshot SnapshotOf(const Worker& w) const;

  SupervisorPorts ports_;
  std::map<std::string, Worker> workers_;
  DaemonConfig daemon_;
  bool have_daemon_config_ = false;
  std::string account_without_logon_;  // RefuseOtherAccounts; "" : supd may log accounts on
  std::uint64_t config_generation_ = 0;
  std::map<std::string, std::vector<ConfigError>>
      invalid_in_config_;  // of the newest configuration
  std::set<std::string> stopped_by_operator_at_start_;
  bool shutting_down_ = false;
  bool settling_ = false;
  // Every worker, dependencies first; rebuilt after a configuration or a removal changed them.
  std::vector<Worker*> start_order_;
  bool start_order_stale_ = true;
  std::function<void()> shutdown_done_;
};

}  // namespace sup::engine
