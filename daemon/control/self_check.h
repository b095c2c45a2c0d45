// supd watching its own supervision. Everything the engine does runs on one io thread; if that
// thread stalls (a bug, a call that blocks), the read side would keep answering SERVING from the
// last status published while nothing is supervised. So the io thread beats (Beat, every
// period()) and the read side asks how long it has been silent: past the limit (SelfCheckMs),
// health answers NOT_SERVING with Problem()'s reason. Portable.
//
// Threading: Beat and SetLimit on the io thread; Overdue and Problem from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"

namespace sup::control {

class SelfCheck {
 public:
  // How often the io thread beats and the read side looks: a fifth of the limit (2 s at the
  // default 10 s), so a stall is seen within 1.2 limits, and an idle supd wakes for it only a
  // couple of times every few seconds (each wakeup costs under Wine: timers go through its server).
  std::chrono::milliseconds period() const;

  // `clock` must outlive the check, and be safe to read from any thread. The first beat is now.
  SelfCheck(const Clock& clock, std::chrono::milliseconds limit);

  void Beat();
  void SetLimit(std::chrono::milliseconds limit);
  std::chrono::milliseconds limit() const { return std::chrono::milliseconds(limit_ms_.load()); }

  // How long supervision has been silent, once that is longer than the limit; nullopt while it
  // answers in time.
  std::optional<std::chrono::milliseconds> Overdue() const;
  // "supervision has not answered for 12 s" while overdue.
  std::optional<std::string> Problem() const;

 private:
  std::int64_t Now() const;

  const Clock& clock_;
  std::atomic<std::int64_t> limit_ms_;
  std::atomic<std::int64_t> last_beat_ms_;  // on the clock's steady time line
};

}  // namespace sup::control
