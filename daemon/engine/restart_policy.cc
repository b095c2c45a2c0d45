#include "daemon/engine/restart_policy.h"

#include <algorithm>

namespace sup::engine {

Millis BackoffDelay(const PolicyConfig& policy, std::uint32_t attempt, double unit_random) {
  const double cap = static_cast<double>(policy.backoff_max.count());
  double base = static_cast<double>(policy.backoff_initial.count());
  for (std::uint32_t i = 0; i < attempt && base < cap; ++i) base *= 2;
  base = std::min(base, cap);
  const double jitter = 0.8 + 0.4 * std::clamp(unit_random, 0.0, 1.0);
  return Millis(static_cast<Millis::rep>(base * jitter));
}

std::size_t FailureHistory::CountWithin(Millis window, TimePoint now) {
  while (!failures_.empty() && now - failures_.front() >= window) failures_.pop_front();
  return failures_.size();
}

bool IsSuccessExitCode(const PolicyConfig& policy, std::int64_t exit_code) {
  return std::find(policy.success_exit_codes.begin(), policy.success_exit_codes.end(), exit_code) !=
         policy.success_exit_codes.end();
}

ExitVerdict DecideOnExit(const PolicyConfig& policy, std::int64_t exit_code, bool started_ok,
                         FailureHistory& history, TimePoint now) {
  const bool failure = !started_ok || !IsSuccessExitCode(policy, exit_code);
  if (failure) history.Record(now);
  if (policy.restart == RestartMode::kNever) return ExitVerdict::kStayDown;
  if (policy.restart == RestartMode::kOnFailure && !failure) return ExitVerdict::kStayDown;
  if (failure && history.CountWithin(policy.failure_window, now) >= policy.max_failures) {
    return ExitVerdict::kOpenBreaker;
  }
  return ExitVerdict::kRestart;
}

}  // namespace sup::engine
