// The read side of supd's state. After every change the io thread publishes an immutable snapshot
// of every worker; the health pipe's threads (and the HTTP endpoint's /healthz) read the newest
// one without waiting for the io thread, so health checks scale across threads while the engine
// stays single-threaded.
//
// Threading: Publish, OnPublished and StatusPublisher on the io thread; Latest from any thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "common/fanout.h"
#include "daemon/control/event_feed.h"
#include "daemon/engine/supervisor.h"

namespace sup::control {

struct PublishedStatus {
  std::vector<engine::WorkerSnapshot> workers;  // ordered by name
  bool stopping = false;                        // supd is stopping: nothing serves any more
};

class StatusBoard {
 public:
  // Makes `status` the newest, then tells the listeners.
  void Publish(PublishedStatus status);
  // The newest status; an empty one before the first Publish. It never changes: a newer one
  // replaces it on the board.
  std::shared_ptr<const PublishedStatus> Latest() const;
  // `listener` runs on the publishing thread after each Publish.
  Subscription OnPublished(std::function<void()> listener) {
    return listeners_.Subscribe(std::move(listener));
  }

 private:
  mutable std::mutex mutex_;  // held only to swap or copy the pointer
  std::shared_ptr<const PublishedStatus> latest_ = std::make_shared<const PublishedStatus>();
  Fanout<> listeners_;
};

// Publishes the supervisor's status after engine events, once per burst: the first event of a
// burst asks `defer` to run the publication later (supd posts it to the io thread, so it runs
// after the engine's entry point has finished: a worker removed after its last event is gone from
// it; tests run it at once).
class StatusPublisher {
 public:
  using Defer = std::function<void(std::function<void()> task)>;
  StatusPublisher(const engine::Supervisor& supervisor, EventFeed& events, StatusBoard& board,
                  Defer defer);

  // Publishes now, e.g. the first status once the configuration is applied.
  void PublishNow();
  // supd is stopping: from now on every published status says so.
  void MarkStopping();

 private:
  const engine::Supervisor& supervisor_;
  StatusBoard& board_;
  Defer defer_;
  bool publication_pending_ = false;
  bool stopping_ = false;
  // Expires with the publisher: a deferred publication that runs later does nothing.
  std::shared_ptr<int> lifetime_ = std::make_shared<int>(0);
  Subscription events_;
};

}  // namespace sup::control
