// The restart policy as pure functions of the policy, the worker's history and the time: how
// long to back off, and what an exit means. Table-tested; the Supervisor applies the results.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>

#include "common/config/config_model.h"

namespace sup::engine {

using TimePoint = std::chrono::steady_clock::time_point;

// The delay before restart attempt `attempt` (0 = the first since the worker last ran stably):
// BackoffInitialMs * 2^attempt, capped at BackoffMaxMs, times a jitter factor in [0.8, 1.2)
// chosen by `unit_random` in [0, 1).
Millis BackoffDelay(const PolicyConfig& policy, std::uint32_t attempt, double unit_random);

// Failures within the breaker's window.
class FailureHistory {
 public:
  void Record(TimePoint at) { failures_.push_back(at); }
  void Clear() { failures_.clear(); }
  // Forgets failures older than `window` and counts the rest.
  std::size_t CountWithin(Millis window, TimePoint now);

 private:
  std::deque<TimePoint> failures_;
};

bool IsSuccessExitCode(const PolicyConfig& policy, std::int64_t exit_code);

enum class ExitVerdict {
  kStayDown,     // EXITED: the policy says the worker stays down
  kRestart,      // BACKOFF, then start again
  kOpenBreaker,  // FAILED: too many failures within the window
};

// What an exit nobody asked for means. `started_ok`: the start had counted as successful
// (StartSeconds or a passing probe) before the exit. A failure (an early exit, or a code not in
// SuccessExitCodes) is recorded in `history`.
ExitVerdict DecideOnExit(const PolicyConfig& policy, std::int64_t exit_code, bool started_ok,
                         FailureHistory& history, TimePoint now);

}  // namespace sup::engine
