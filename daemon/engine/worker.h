// The engine's record of one worker: its definition, its state and at most one pending intent,
// the process it runs (if any), its restart history, its probes and its events. Data only: the
// Supervisor is the one that changes it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/config/config_model.h"
#include "daemon/engine/event.h"
#include "daemon/engine/guarded_timer.h"
#include "daemon/engine/memory_watch.h"
#include "daemon/engine/probe_scheduler.h"
#include "daemon/engine/restart_policy.h"
#include "common/worker_state.h"

namespace sup::engine {

// What supd means to do with a worker's process once it has stopped it. Only an up worker
// (STARTING, RUNNING, STOPPING) has one: a worker that is down acts on an intent at once.
// After the stop the worker is STOPPED, removed for kRemove; whether it starts again is not the
// intent's business but the worker's: it starts when it is wanted and its dependencies run.
enum class IntentKind {
  kRestart,  // an operator restart (or start during a stop)
  kApply,    // a new definition whose launch settings changed
  kStop,     // an operator stop, Enabled=0, a dependency going down, shutdown
  kRemove,   // gone from the configuration
};
inline constexpr std::string_view kIntentNames[] = {"restart", "apply a new definition", "stop",
                                                    "remove"};

struct Intent {
  IntentKind kind = IntentKind::kStop;
  Reason reason = Reason::kNone;  // of the transitions it leads to
  std::string because_of;         // the dependency whose own stop this one follows, if any
};

// The process of an up worker.
struct Process {
  std::uint32_t pid = 0;  // 0 while launching
  // Its start goes on elsewhere (ProcessLauncher::kLaunching) until Supervisor::OnLaunched: no
  // probes, start timer or memory checks yet; a stop's steps are repeated once it has a pid.
  bool launching = false;
  TimePoint started_at{};
  TimePoint stable_since{};  // RUNNING and healthy since
  bool has_console = false;
  // supd stopped it for a failed probe or its memory: its exit is a failure
  std::optional<Reason> killed_for;
  std::size_t stop_step = 0;  // STOPPING: the ladder step under way
  // STOPPING: the step last sent, as sent: a reload may change the ladder the index points into.
  StopStep sent_step = StopStep::kTerminate;
  // What it said through its notify pipe: READY=1, STOPPING=1, the last STATUS=.
  bool said_ready = false;
  bool said_stopping = false;
  std::string status_text{};
  // Notify=1 and STARTING: what confirms a start without Notify (StartSeconds, or the startup
  // probe) has happened; READY=1 is what is left.
  bool start_checks_passed = false;
};

struct Worker {
  std::string name;
  std::optional<WorkerConfig> config;      // the newest valid definition; none: never had one
  std::vector<ConfigError> config_errors;  // of the newest definition, when it was rejected

  WorkerState state = WorkerState::kStopped;
  Reason reason = Reason::kNone;
  TimePoint since{};
  std::optional<Intent> intent;
  std::optional<Process> process;       // exactly when IsUp(state)
  GuardedTimer state_timer;             // start confirmation, backoff, breaker retry, stop ladder
  GuardedTimer watchdog_timer;          // RUNNING with WatchdogMs: the next WATCHDOG=1 is due
  std::unique_ptr<MemoryWatch> memory;  // MemoryRestartMB's checks: made at the first, then kept
  bool stopped_by_operator = false;

  std::optional<std::int64_t> last_exit_code;
  std::string last_error;      // spawn error text, for the description
  std::uint32_t restarts = 0;  // by the restart policy
  std::uint64_t launches =
      0;  // every launch since supd started, so a client can tell a new process
  std::uint32_t backoff_attempt = 0;
  FailureHistory failures;
  std::optional<TimePoint> next_start_at;

  Health health = Health::kUnknown;
  bool readiness_passed = false;
  std::unique_ptr<ProbeScheduler> probes;  // made at the first launch, then kept

  EventRing transitions{100};  // transitions and configuration changes
  EventRing probe_events{20};  // probe verdict changes and folded failures, kept apart
};

}  // namespace sup::engine
