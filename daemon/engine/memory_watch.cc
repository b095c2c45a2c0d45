#include "daemon/engine/memory_watch.h"

namespace sup::engine {

void MemoryWatch::Begin(std::uint32_t threshold_mb, Millis period) {
  Cancel();
  checks_over_ = 0;
  if (threshold_mb == 0) return;
  threshold_bytes_ = std::uint64_t{threshold_mb} * 1024 * 1024;
  period_ = period;
  // The guard inside timer_ dies with the watch, so `this` is alive whenever this runs.
  timer_.Arm(timers_, period_, [this] { Check(); });
}

void MemoryWatch::Check() {
  const std::optional<std::uint64_t> used = read_();
  if (used && *used > threshold_bytes_) {
    if (++checks_over_ >= kChecksInARow) {
      on_over_(*used);  // may destroy the watch (the worker removed): nothing after this
      return;
    }
  } else if (used) {
    checks_over_ = 0;
  }
  timer_.Arm(timers_, period_, [this] { Check(); });
}

}  // namespace sup::engine
