#include "daemon/control/status_board.h"

namespace sup::control {

void StatusBoard::Publish(PublishedStatus status) {
  auto published = std::make_shared<const PublishedStatus>(std::move(status));
  {
    std::lock_guard lock(mutex_);
    latest_.swap(published);
  }
  // The previous status is released here, outside the lock (readers may still hold it).
  listeners_.Publish();
}

std::shared_ptr<const PublishedStatus> StatusBoard::Latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

StatusPublisher::StatusPublisher(const engine::Supervisor& supervisor, EventFeed& events,
                                 StatusBoard& board, Defer defer)
    : supervisor_(supervisor), board_(board), defer_(std::move(defer)) {
  events_ = events.Follow([this](const engine::Event&) {
    if (publication_pending_) return;
    publication_pending_ = true;
    defer_([this, alive = std::weak_ptr<int>(lifetime_)] {
      if (alive.expired()) return;
      PublishNow();
    });
  });
}

void StatusPublisher::PublishNow() {
  publication_pending_ = false;
  board_.Publish(PublishedStatus{supervisor_.Snapshot(), stopping_});
}

void StatusPublisher::MarkStopping() {
  stopping_ = true;
  PublishNow();
}

}  // namespace sup::control
