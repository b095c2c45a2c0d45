// What the engine shows of one worker: a copy taken on the io thread for status, health and
// describe replies, and the human text built from it only when a reply needs it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/config_model.h"
#include "common/worker_state.h"

namespace sup::engine {

struct WorkerSnapshot {
  std::string name;
  WorkerState state = WorkerState::kStopped;
  Reason reason = Reason::kNone;
  Millis in_state_for{};  // since the last transition
  Health health = Health::kUnknown;
  bool ready = false;
  bool wanted =
      false;  // supd means it to run (enabled, not stopped by an operator, supd not stopping)
  // Ended with a success exit code and its policy keeps it down: a finished run-once job.
  bool done = false;
  std::uint32_t pid = 0;
  Millis uptime{};
  std::uint32_t restarts = 0;
  std::uint64_t launches = 0;
  std::optional<std::int64_t> last_exit_code;
  std::optional<Millis> next_restart_in;   // BACKOFF, or FAILED with a retry scheduled
  std::vector<ConfigError> config_errors;  // of the newest definition, if it was rejected

  // For the description.
  bool has_config = false;
  bool enabled = false;
  bool stopped_by_operator = false;
  std::string pending_intent;            // "then restart", "restart once its dependents stop: b"
  std::vector<std::string> waiting_for;  // dependencies it waits for, while wanted and down
  std::uint32_t backoff_attempt = 0;
  std::string stop_step;  // STOPPING: the ladder step under way
  std::size_t stop_step_number = 0;
  std::size_t stop_steps = 0;
  std::string last_error;  // spawn error
  // Who its processes run as ("LocalSystem", "NT AUTHORITY\\LocalService"); "" without a
  // definition.
  std::string account;
  // What it said through its notify pipe (STATUS=); "" when nothing, or when it has no process.
  std::string status_text;
  // Notify=1 and STARTING: its checks passed or not, READY=1 has not come yet.
  bool waiting_for_ready = false;
};

// Where the worker should be: RUNNING and ready, or done. `supctl status` exits 0 only when every
// worker is, and the health pipe says SERVING for exactly these: one predicate for both.
inline bool IsServing(const WorkerSnapshot& worker) {
  return (worker.state == WorkerState::kRunning && worker.ready) || worker.done;
}

// The human summary: "pid 4812, uptime 0:02:35", "backoff: attempt 3, next in 4.0s; last exit code
// 1".
std::string Describe(const WorkerSnapshot& worker);

}  // namespace sup::engine
