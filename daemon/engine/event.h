// Events: every state transition, probe result and configuration change of a worker, for the
// EventSink (log, `supctl events -f`) and the per-worker ring behind `supctl describe`.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "common/config/config_model.h"
#include "common/worker_state.h"

namespace sup::engine {

// kOutput comes from the output capture, not the engine: a log file that cannot be written or
// rotated, and when it heals. kNotify: what a worker said through its notify pipe that changes
// how it is watched (STOPPING=1); READY=1 shows as the transition it makes.
enum class EventKind { kTransition, kProbe, kConfig, kOutput, kNotify };

struct Event {
  std::chrono::steady_clock::time_point time;
  std::string worker;
  EventKind kind = EventKind::kTransition;
  WorkerState from = WorkerState::kStopped;  // kTransition
  WorkerState to = WorkerState::kStopped;
  Reason reason = Reason::kNone;
  std::uint32_t pid = 0;
  std::optional<std::int64_t> exit_code;
  std::optional<ProbeKind> probe;  // kProbe
  bool probe_success = false;
  std::uint32_t count = 1;  // kProbe: consecutive failures folded into this event
  bool healed = false;      // kOutput: the failure reported before is over
  std::string message;

  // One log line: "worker transition name=api from=RUNNING to=BACKOFF reason=exited code=1 ..."
  std::string ToLogLine() const;
};

// The last `capacity` events of one worker.
class EventRing {
 public:
  explicit EventRing(std::size_t capacity = 100) : capacity_(capacity) {}
  void Push(Event event) {
    if (events_.size() == capacity_) events_.pop_front();
    events_.push_back(std::move(event));
  }
  const std::deque<Event>& events() const { return events_; }

  // A failed probe result right after a failure of the same probe folds into that event (its
  // count, time and message); anything else is pushed. True when it was pushed.
  bool PushOrFoldProbeFailure(Event event);

 private:
  std::size_t capacity_;
  std::deque<Event> events_;
};

}  // namespace sup::engine
