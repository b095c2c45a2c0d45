// The engine's events on their way out: to the next sink (supd's log) and to whoever follows
// them live (`supctl events -f`, health watchers), and the most recent ones of the whole daemon,
// as emitted: `supctl events` takes a removed worker's last events (removed, STOPPING, STOPPED,
// its exit code) from here, since its own ring goes with it. (A present worker's come from its
// ring, where repeated probe failures fold into one event.) Threading: io thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <functional>
#include <utility>
#include <vector>

#include "common/fanout.h"
#include "daemon/engine/ports.h"

namespace sup::control {

class EventFeed final : public engine::EventSink {
 public:
  // Events kept for `supctl events`, the newest; a few hundred bytes each.
  static constexpr std::size_t kRecentEvents = 1000;

  explicit EventFeed(engine::EventSink& next) : next_(next) {}

  void Emit(const engine::Event& event) override {
    next_.Emit(event);
    recent_.push_back(event);
    if (recent_.size() > kRecentEvents) recent_.pop_front();
    followers_.Publish(event);
  }

  // The newest `limit` events, oldest first.
  std::vector<engine::Event> Recent(std::size_t limit) const {
    const std::size_t keep = std::min(limit, recent_.size());
    return {recent_.end() - static_cast<std::ptrdiff_t>(keep), recent_.end()};
  }

  Subscription Follow(std::function<void(const engine::Event&)> callback) {
    return followers_.Subscribe(std::move(callback));
  }

 private:
  engine::EventSink& next_;
  std::deque<engine::Event> recent_;
  Fanout<const engine::Event&> followers_;
};

}  // namespace sup::control
