// core::Timers on the io_context: one steady_timer per scheduled callback.
// Threading: io thread only.
#pragma once

#include "daemon/win/asio.h"

#include <map>
#include <memory>

#include "daemon/core/ports.h"

namespace sup::win {

class AsioTimers final : public core::Timers {
 public:
  explicit AsioTimers(boost::asio::io_context& io) : io_(io) {}
  ~AsioTimers() override;

  Id Schedule(core::Millis delay, std::function<void()> callback) override;
  void Cancel(Id id) override;
  std::size_t pending() const { return timers_.size(); }

 private:
  boost::asio::io_context& io_;
  Id last_id_ = 0;
  std::map<Id, std::unique_ptr<boost::asio::steady_timer>> timers_;
};

}  // namespace sup::win
