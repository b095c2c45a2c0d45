// The engine's events on their way out: to the next sink (supd's log) and to whoever follows
// them live (`supctl events -f`, health watchers). Threading: io thread.
#pragma once

#include <functional>
#include <utility>

#include "daemon/core/fanout.h"
#include "daemon/core/ports.h"

namespace sup::core {

class EventFeed final : public EventSink {
 public:
  explicit EventFeed(EventSink& next) : next_(next) {}

  void Emit(const Event& event) override {
    next_.Emit(event);
    followers_.Publish(event);
  }

  Subscription Follow(std::function<void(const Event&)> callback) {
    return followers_.Subscribe(std::move(callback));
  }

 private:
  EventSink& next_;
  Fanout<const Event&> followers_;
};

}  // namespace sup::core
