#include "daemon/engine/stop_ladder.h"

#include <algorithm>

namespace sup::engine {

StopLadder StopLadder::For(const PolicyConfig& policy, bool has_console) {
  StopLadder ladder;
  for (StopStep step : policy.stop_steps) {
    if (step == StopStep::kCtrlC && !has_console) continue;
    if (step == StopStep::kTerminate) break;
    ladder.steps.push_back(step);
  }
  const std::size_t soft_steps = ladder.steps.size();
  ladder.steps.push_back(StopStep::kTerminate);
  if (soft_steps > 0)
    ladder.soft_step_timeout = policy.stop_timeout / static_cast<Millis::rep>(soft_steps);
  return ladder;
}

}  // namespace sup::engine
