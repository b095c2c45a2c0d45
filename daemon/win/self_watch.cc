#include "daemon/win/self_watch.h"

namespace sup::win {

SelfWatch::SelfWatch(control::SelfCheck& check, engine::Timers& timers,
                     boost::asio::io_context& read_io, Reactions reactions)
    : check_(check),
      timers_(timers),
      strand_(boost::asio::make_strand(read_io)),
      look_timer_(strand_),
      reactions_(std::move(reactions)) {}

SelfWatch::~SelfWatch() {
  // The read side has been joined by now (Stop came first, or it never ran): only the beat is left.
  if (!stopped_) timers_.Cancel(beat_timer_);
}

void SelfWatch::Start() {
  check_.Beat();
  Beat();
  boost::asio::dispatch(strand_, [this] { WatchLater(); });
}

void SelfWatch::Stop() {
  if (stopped_.exchange(true)) return;
  timers_.Cancel(beat_timer_);
  // Cancelled on its strand: a look may be running on a read-side thread right now.
  boost::asio::dispatch(strand_, [this] { look_timer_.cancel(); });
}

void SelfWatch::Beat() {
  check_.Beat();
  beat_timer_ = timers_.Schedule(check_.period(), [this] { Beat(); });
}

void SelfWatch::WatchLater() {
  if (stopped_) return;
  look_timer_.expires_after(check_.period());
  look_timer_.async_wait([this](const boost::system::error_code& error) {
    if (error || stopped_) return;
    Look();
    WatchLater();
  });
}

void SelfWatch::Look() {
  const std::optional<std::chrono::milliseconds> overdue = check_.Overdue();
  if (overdue) {
    silence_ = *overdue;
    if (!unanswered_) {
      unanswered_ = true;
      reactions_.unanswered(*overdue);
    }
  } else if (unanswered_) {
    unanswered_ = false;
    reactions_.answering_again(silence_);
  }
}

}  // namespace sup::win
