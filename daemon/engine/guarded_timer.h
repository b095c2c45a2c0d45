// Callbacks that can be called off: a timer or a probe run belongs to one slot of one worker, and
// once the slot is re-armed, reset or destroyed (the worker was removed), a callback issued for it
// earlier does nothing, even if the port had already queued it. This is what makes "no stale
// timer acts" hold by construction instead of by a generation check at every call site.
//
// Threading: the engine's executor, like everything in daemon/engine.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>

#include "common/config/config_model.h"
#include "daemon/engine/ports.h"

namespace sup::engine {

// Issues callbacks that run only while the guard has not been reset since they were issued.
class CallbackGuard {
 public:
  CallbackGuard() : current_(std::make_shared<std::uint64_t>(0)) {}
  CallbackGuard(CallbackGuard&&) = default;
  CallbackGuard& operator=(CallbackGuard&&) = default;

  // `action`, wrapped: it runs at most once, and only if no Reset (and no later Wrap) came first.
  template <typename... Args>
  std::function<void(Args...)> Wrap(std::function<void(Args...)> action) {
    const std::uint64_t issued = ++last_;
    *current_ = issued;
    return [cell = std::weak_ptr<std::uint64_t>(current_), issued,
            action = std::move(action)](Args... args) {
      const std::shared_ptr<std::uint64_t> current = cell.lock();
      if (!current || *current != issued) return;
      *current = 0;
      action(std::forward<Args>(args)...);
    };
  }
  // Every callback issued so far will do nothing.
  void Reset() { *current_ = 0; }
  // A callback issued and not yet called or called off.
  bool pending() const { return *current_ != 0; }

 private:
  std::shared_ptr<std::uint64_t> current_;  // the callback that may still run; 0: none
  std::uint64_t last_ = 0;
};

// One timer slot: arming it again or cancelling it calls off the previous callback.
class GuardedTimer {
 public:
  void Arm(Timers& timers, Millis delay, std::function<void()> action) {
    Cancel(timers);
    id_ = timers.Schedule(delay, guard_.Wrap(std::move(action)));
  }
  void Cancel(Timers& timers) {
    if (guard_.pending()) timers.Cancel(id_);
    guard_.Reset();
    id_ = 0;
  }
  bool armed() const { return guard_.pending(); }

 private:
  CallbackGuard guard_;
  Timers::Id id_ = 0;
};

}  // namespace sup::engine
