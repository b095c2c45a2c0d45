// A Clock that moves only when the test says so.
#pragma once

#include <chrono>

#include "common/clock.h"

namespace sup::testing {

class ManualClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point SteadyNow() const override { return steady_; }
  std::chrono::system_clock::time_point WallNow() const override { return wall_; }

  void Advance(std::chrono::milliseconds by) {
    steady_ += by;
    wall_ += by;
  }
  void SetWall(std::chrono::system_clock::time_point wall) { wall_ = wall; }

 private:
  std::chrono::steady_clock::time_point steady_{std::chrono::hours(1000)};
  std::chrono::system_clock::time_point wall_{std::chrono::milliseconds(1'700'000'000'000)};
};

}  // namespace sup::testing
