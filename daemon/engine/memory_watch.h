// MemoryRestartMB's checks of one worker, in the shape of ProbeScheduler: the watch owns its timer
// and its count, reads the worker's working set every MemoryCheckMs, and reports once the reading
// was above the threshold at kChecksInARow checks in a row (one reading above it may be a passing
// peak: a burst of requests, a collection about to run; a reading at or below it starts the count
// over). It then stops: the Supervisor decides what the report means.
//
// Threading: the engine's executor, like everything in daemon/engine.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "daemon/engine/guarded_timer.h"
#include "daemon/engine/ports.h"

namespace sup::engine {

class MemoryWatch {
 public:
  static constexpr std::uint32_t kChecksInARow = 2;
  // The working set in bytes now, or nullopt when no reading counts this time (it could not be
  // read, or the worker is about to go down): the count stays as it is.
  using Read = std::function<std::optional<std::uint64_t>()>;
  // The reading that made kChecksInARow in a row.
  using OnOver = std::function<void(std::uint64_t used_bytes)>;

  MemoryWatch(Timers& timers, Read read, OnOver on_over)
      : timers_(timers), read_(std::move(read)), on_over_(std::move(on_over)) {}
  ~MemoryWatch() { Cancel(); }
  MemoryWatch(const MemoryWatch&) = delete;
  MemoryWatch& operator=(const MemoryWatch&) = delete;

  // Checks against `threshold_mb` every `period` from now, the count cleared; 0 MB: no checks.
  void Begin(std::uint32_t threshold_mb, Millis period);
  // Calls the next check off.
  void Cancel() { timer_.Cancel(timers_); }
  // A check is scheduled.
  bool active() const { return timer_.armed(); }

 private:
  void Check();

  Timers& timers_;
  Read read_;
  OnOver on_over_;
  std::uint64_t threshold_bytes_ = 0;
  Millis period_{};
  std::uint32_t checks_over_ = 0;
  GuardedTimer timer_;
};

}  // namespace sup::engine
