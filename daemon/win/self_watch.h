// supd watching its own supervision (control::SelfCheck): the io thread beats every
// SelfCheck::period() through the engine's timers, and a timer on the read side (which keeps
// serving health while the io thread is stuck) looks at the beats as often. When they stop
// for longer than the limit it reacts once, and once more if they come back.
//
// Threading: construct, Start and Stop on the io thread; the reactions run on a read-side thread,
// one at a time.
#pragma once

#include "daemon/win/asio.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "daemon/control/self_check.h"
#include "daemon/engine/ports.h"

namespace sup::win {

class SelfWatch {
 public:
  struct Reactions {
    // Supervision has not answered for `silence` (past the limit): once per silence.
    std::function<void(std::chrono::milliseconds silence)> unanswered;
    // It answers again, after about `silence`.
    std::function<void(std::chrono::milliseconds silence)> answering_again;
  };

  // `check`, `timers` and `read_io` must outlive the watch, and the read side must have been
  // joined (after Stop) before it goes.
  SelfWatch(control::SelfCheck& check, engine::Timers& timers, boost::asio::io_context& read_io,
            Reactions reactions);
  ~SelfWatch();

  void Start();
  // No beat and no reaction after this: the read side's timer is cancelled on its strand (a
  // pending wait would keep the read side's threads from ending).
  void Stop();

 private:
  void Beat();
  void WatchLater();
  void Look();

  control::SelfCheck& check_;
  engine::Timers& timers_;
  engine::Timers::Id beat_timer_ = 0;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer look_timer_;  // on strand_
  Reactions reactions_;
  std::atomic<bool> stopped_{false};
  // On strand_: whether the last look found supervision silent, and for how long.
  std::chrono::milliseconds silence_{0};
  bool unanswered_ = false;
};

}  // namespace sup::win
