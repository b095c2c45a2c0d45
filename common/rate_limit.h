// Lets through at most `burst` events in any window of `window` (a fixed window, restarted by the
// first event after it ends) and counts the rest, so the next event let through can say how many
// were held back. For log lines a client can cause: one client looping on bad requests must not
// fill supd's log.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace sup {

class RateLimit {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  RateLimit(int burst, std::chrono::steady_clock::duration window)
      : burst_(burst), window_(window) {}

  // Whether an event at `now` may be logged: if so, the number of events held back since the
  // last one let through (to say in its line); if not, nullopt (and it is counted).
  std::optional<std::uint64_t> Allow(TimePoint now) {
    if (!window_start_ || now - *window_start_ >= window_) {
      window_start_ = now;
      let_through_ = 0;
    }
    if (let_through_ >= burst_) {
      ++held_back_;
      return std::nullopt;
    }
    ++let_through_;
    const std::uint64_t held_back = held_back_;
    held_back_ = 0;
    return held_back;
  }

 private:
  int burst_;
  std::chrono::steady_clock::duration window_;
  std::optional<TimePoint> window_start_;
  int let_through_ = 0;
  std::uint64_t held_back_ = 0;
};

// A RateLimit that threads share (the pipe servers' connections, each served on a thread of its
// own, log through one).
class SharedRateLimit {
 public:
  SharedRateLimit(int burst, std::chrono::steady_clock::duration window) : limit_(burst, window) {}
  std::optional<std::uint64_t> Allow(RateLimit::TimePoint now) {
    std::lock_guard lock(mutex_);
    return limit_.Allow(now);
  }

 private:
  std::mutex mutex_;
  RateLimit limit_;
};

}  // namespace sup
