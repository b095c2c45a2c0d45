#include "daemon/engine/win/asio_timers.h"

namespace sup::win {

AsioTimers::~AsioTimers() {
  for (auto& [id, scheduled] : timers_) {
    *scheduled.live = false;
    scheduled.timer->cancel();
  }
}

engine::Timers::Id AsioTimers::Schedule(Millis delay, std::function<void()> callback) {
  const Id id = ++last_id_;
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay);
  auto live = std::make_shared<bool>(true);
  // The handler keeps its timer alive until it has run; `live` says whether it still may act.
  timer->async_wait(
      [this, id, timer, live, callback = std::move(callback)](boost::system::error_code ec) {
        if (ec || !*live) return;  // cancelled, perhaps after it had expired: `this` may be gone
        *live = false;
        timers_.erase(id);
        callback();
      });
  timers_.emplace(id, Scheduled{std::move(timer), std::move(live)});
  return id;
}

void AsioTimers::Cancel(Id id) {
  const auto found = timers_.find(id);
  if (found == timers_.end()) return;
  *found->second.live = false;
  found->second.timer->cancel();
  timers_.erase(found);
}

}  // namespace sup::win
