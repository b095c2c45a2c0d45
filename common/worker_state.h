// The vocabulary of supervision: worker states (supervisord's names), health, and the reason of
// every transition, with their display names.
#pragma once

#include <string_view>

#include "common/enum_names.h"

namespace sup {

enum class WorkerState { kStopped, kStarting, kRunning, kBackoff, kStopping, kExited, kFailed };
inline constexpr std::string_view kWorkerStateNames[] = {
    "STOPPED", "STARTING", "RUNNING", "BACKOFF", "STOPPING", "EXITED", "FAILED"};

enum class Health { kUnknown, kHealthy, kUnhealthy };
inline constexpr std::string_view kHealthNames[] = {"UNKNOWN", "HEALTHY", "UNHEALTHY"};

enum class Reason {
  kNone,
  kOperator,
  kExited,
  kKilled,
  kSpawnError,
  kStartTimeout,
  kLivenessFailed,
  kMemoryLimit,
  kConfigChanged,
  kConfigError,
  kDependency,
  kBreakerOpen,
  kShutdown,
  kWatchdog,
};
inline constexpr std::string_view kReasonNames[] = {"",
                                                    "operator",
                                                    "exited",
                                                    "killed",
                                                    "spawn-error",
                                                    "start-timeout",
                                                    "liveness-failed",
                                                    "memory-limit",
                                                    "config-changed",
                                                    "config-error",
                                                    "dependency",
                                                    "breaker-open",
                                                    "shutdown",
                                                    "watchdog"};

// STARTING, RUNNING and STOPPING: a process exists.
inline bool IsUp(WorkerState state) {
  return state == WorkerState::kStarting || state == WorkerState::kRunning ||
         state == WorkerState::kStopping;
}

}  // namespace sup
