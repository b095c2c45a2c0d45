#include "daemon/engine/worker_snapshot.h"

#include <cstdio>

#include "common/format.h"

namespace sup::engine {
namespace {

std::string DescribeStopped(const WorkerSnapshot& w) {
  if (!w.has_config && !w.config_errors.empty())
    return "configuration error: " + w.config_errors.front().ToString();
  if (w.has_config && !w.enabled) return "disabled (Enabled=0)";
  if (w.stopped_by_operator) return "stopped by operator";
  if (w.reason == Reason::kConfigError && !w.config_errors.empty()) {
    return "configuration error: " + w.config_errors.front().ToString();
  }
  if (w.wanted && !w.waiting_for.empty()) return "waiting for " + JoinNames(w.waiting_for);
  return "stopped";
}

}  // namespace

std::string Describe(const WorkerSnapshot& w) {
  std::string text;
  switch (w.state) {
    case WorkerState::kStarting:
      // No pid yet: the launcher is still creating the process (its program file may be held).
      text = w.pid == 0
                 ? "creating its process for " + FormatDelay(w.uptime)
                 : "pid " + std::to_string(w.pid) + ", starting for " + FormatDelay(w.uptime);
      if (w.waiting_for_ready) text += ", waiting for READY=1";
      break;
    case WorkerState::kRunning:
      text = "pid " + std::to_string(w.pid) + ", uptime " + FormatUptime(w.uptime);
      break;
    case WorkerState::kStopping:
      text = "stopping: " + w.stop_step + " (step " + std::to_string(w.stop_step_number) + " of " +
             std::to_string(w.stop_steps) + ")";
      break;
    case WorkerState::kBackoff:
      text = "backoff: attempt " + std::to_string(w.backoff_attempt) + ", next in " +
             FormatDelay(w.next_restart_in.value_or(Millis{0}));
      break;
    case WorkerState::kFailed:
      text = "circuit breaker open; " +
             (w.next_restart_in ? "retry in " + FormatDelay(*w.next_restart_in)
                                : std::string("no automatic retry (supctl reset or start)"));
      break;
    case WorkerState::kExited: text = w.done ? "done" : "exited"; break;
    case WorkerState::kStopped:
      text = DescribeStopped(w);
      if (!w.has_config) return text;
      break;
  }
  if (!w.pending_intent.empty()) text += "; " + w.pending_intent;
  if (!w.status_text.empty()) text += "; status: " + w.status_text;
  const bool down = !IsUp(w.state);
  if (down && !w.last_error.empty()) {
    text += "; spawn error: " + w.last_error;
  } else if (down && w.state != WorkerState::kStopped && w.last_exit_code) {
    text += "; last exit code " + FormatExitCode(*w.last_exit_code);
  }
  if (w.has_config && !w.config_errors.empty() && w.reason != Reason::kConfigError) {
    text += "; new configuration rejected: " + w.config_errors.front().ToString();
  }
  return text;
}

}  // namespace sup::engine
