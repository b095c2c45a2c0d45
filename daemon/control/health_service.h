// The health protocol (sup.v1.HealthRequest on \\.\pipe\sup-health), shaped after
// grpc.health.v1: "" is the daemon as a whole, SERVING when every worker supd wants up is
// RUNNING and ready; a worker is SERVING when it is RUNNING and ready; other names are NOT_FOUND.
// Watch sends the current status at once and then every change; when supd stops everything is
// NOT_SERVING and every watch ends. Read-only, so anyone the pipe's DACL admits may use it.
//
// Answers come from the newest status on the StatusBoard, never from the engine itself, so the
// health pipe is served by threads of its own (supd's read side) and no check waits for the io
// thread. Portable.
//
// Threading: sessions on any thread (each session's calls one at a time, as a connection makes
// them); Stop and StatusOf from any thread; the board's publications on the io thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "daemon/control/session.h"
#include "daemon/control/status_board.h"
#include "sup/v1/health.pb.h"

namespace sup::control {

class HealthService {
 public:
  using ServingStatus = sup::v1::HealthCheckResponse::ServingStatus;

  // `board` must outlive the service. `max_watches` bounds the open Watch streams.
  explicit HealthService(StatusBoard& board, std::size_t max_watches = 64);
  ~HealthService();

  std::unique_ptr<Session> Open(FrameSink& sink, const Caller& caller);

  // The status of `service` ("" for the daemon), or nullopt if there is no such worker.
  std::optional<ServingStatus> StatusOf(const std::string& service) const;

  // supd is stopping: from now on everything is NOT_SERVING; every watch gets that as its last
  // frame and its connection ends.
  void Stop();
  std::size_t open_watches() const;

 private:
  class HealthSession;

  sup::v1::HealthResponse Handle(const sup::v1::HealthRequest& request,
                                 const PublishedStatus& status) const;
  static std::optional<ServingStatus> StatusIn(const PublishedStatus& status,
                                               const std::string& service, bool stopped);
  void NotifyWatches();

  const StatusBoard& board_;
  std::size_t max_watches_;
  // Guards the watches. Held while a watch is told of a change, so a session cannot go away
  // meanwhile (its destructor takes it too); telling only queues a frame.
  mutable std::mutex mutex_;
  std::set<HealthSession*> watches_;
  std::atomic<bool> stopped_{false};
  Subscription published_subscription_;  // last: cancelled before the rest goes
};

}  // namespace sup::control
