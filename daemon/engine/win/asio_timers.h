// engine::Timers on the io_context: one steady_timer per scheduled callback.
// Threading: io thread only.
#pragma once

#include "daemon/win/asio.h"

#include <map>
#include <memory>

#include "daemon/engine/ports.h"

namespace sup::win {

class AsioTimers final : public engine::Timers {
 public:
  explicit AsioTimers(boost::asio::io_context& io) : io_(io) {}
  ~AsioTimers() override;

  Id Schedule(Millis delay, std::function<void()> callback) override;
  // The callback never runs after this, even when the timer had expired and its completion
  // was already queued behind the handler that cancels it (Asio then calls it with success).
  void Cancel(Id id) override;
  std::size_t pending() const { return timers_.size(); }

 private:
  struct Scheduled {
    std::shared_ptr<boost::asio::steady_timer> timer;
    std::shared_ptr<bool> live;  // false once cancelled, fired, or this object is gone
  };

  boost::asio::io_context& io_;
  Id last_id_ = 0;
  std::map<Id, Scheduled> timers_;
};

}  // namespace sup::win
