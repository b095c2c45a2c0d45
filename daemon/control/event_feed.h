// The engine's events on their way out: to the next sink (supd's log) and to whoever follows
// them live (`supctl events -f`, health watchers). Threading: io thread.
#pragma once

#include <functional>
#include <utility>

#include "common/fanout.h"
#include "daemon/engine/ports.h"

namespace sup::control {

class EventFeed final : public engine::EventSink {
 public:
  explicit EventFeed(engine::EventSink& next) : next_(next) {}

  void Emit(const engine::Event& event) override {
    next_.Emit(event);
    followers_.Publish(event);
  }

  Subscription Follow(std::function<void(const engine::Event&)> callback) {
    return followers_.Subscribe(std::move(callback));
  }

 private:
  engine::EventSink& next_;
  Fanout<const engine::Event&> followers_;
};

}  // namespace sup::control
