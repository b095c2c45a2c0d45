// The stop ladder of one worker process: the steps supd takes, in order, to stop it, and how
// long each soft step may take. Pure.
#pragma once

#include <cstddef>
#include <vector>

#include "common/config/config_model.h"

namespace sup::engine {

// How often the last step, terminate, is repeated while the process's exit has not been reported.
inline constexpr Millis kKillRetry{5000};

struct StopLadder {
  std::vector<StopStep> steps;  // ends in kTerminate
  Millis soft_step_timeout{};   // StopTimeoutMs shared among the soft steps

  // The ladder of `policy` for a process launched with or without a console of its own: ctrl-c
  // needs one, so a process started before ctrl-c was configured skips that step.
  static StopLadder For(const PolicyConfig& policy, bool has_console);

  StopStep StepAt(std::size_t index) const {
    return steps[index < steps.size() ? index : steps.size() - 1];
  }
  // How long step `index` may take before the next one.
  Millis TimeoutAt(std::size_t index) const {
    return StepAt(index) == StopStep::kTerminate ? kKillRetry : soft_step_timeout;
  }
};

}  // namespace sup::engine
