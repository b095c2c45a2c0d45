// Posts work to the io thread from other threads (file workers) for as long as the io_context
// lives: a file that never answered may finish its work after supd's io thread has gone, and
// what it sends back is then dropped instead of posted into a destroyed io_context. Copies share
// one inbox; the owner closes it (its destructor does) before the io_context goes.
#pragma once

#include "daemon/win/asio.h"

#include <functional>
#include <memory>
#include <mutex>

namespace sup::win {

class IoInbox {
 public:
  explicit IoInbox(boost::asio::io_context& io) : state_(std::make_shared<State>(&io)) {}

  // From any thread: runs `task` on the io thread, unless the inbox is closed.
  void Post(std::function<void()> task) const {
    std::lock_guard lock(state_->mutex);
    if (state_->io) boost::asio::post(*state_->io, std::move(task));
  }
  void Close() const {
    std::lock_guard lock(state_->mutex);
    state_->io = nullptr;
  }

 private:
  struct State {
    explicit State(boost::asio::io_context* io) : io(io) {}
    std::mutex mutex;
    boost::asio::io_context* io;
  };
  std::shared_ptr<State> state_;
};

}  // namespace sup::win
