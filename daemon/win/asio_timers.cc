#include "daemon/win/asio_timers.h"

namespace sup::win {

AsioTimers::~AsioTimers() {
  for (auto& [id, timer] : timers_) timer->cancel();
}

core::Timers::Id AsioTimers::Schedule(core::Millis delay, std::function<void()> callback) {
  const Id id = ++last_id_;
  auto timer = std::make_unique<boost::asio::steady_timer>(io_, delay);
  timer->async_wait([this, id, callback = std::move(callback)](boost::system::error_code ec) {
    if (ec) return;  // cancelled: the timer may already be gone
    timers_.erase(id);
    callback();
  });
  timers_.emplace(id, std::move(timer));
  return id;
}

void AsioTimers::Cancel(Id id) {
  const auto found = timers_.find(id);
  if (found == timers_.end()) return;
  found->second->cancel();
  timers_.erase(found);
}

}  // namespace sup::win
