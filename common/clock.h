// Clock: the engine's only source of time. The daemon injects SystemClock; tests inject a manual
// clock, so nothing time-dependent needs a sleep to test.
#pragma once

#include <chrono>

namespace sup {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time, for durations (uptime, backoff, deadlines).
  virtual std::chrono::steady_clock::time_point SteadyNow() const = 0;
  // Wall-clock time, only for reporting to people and scripts.
  virtual std::chrono::system_clock::time_point WallNow() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::now();
  }
  std::chrono::system_clock::time_point WallNow() const override {
    return std::chrono::system_clock::now();
  }
};

}  // namespace sup
