// The health protocol (sup.v1.HealthRequest on \\.\pipe\sup-health), shaped after
// grpc.health.v1: "" is the daemon as a whole, SERVING when every worker supd wants up is
// RUNNING and ready; a worker is SERVING when it is RUNNING and ready; other names are NOT_FOUND.
// Watch sends the current status at once and then every change; when supd stops everything is
// NOT_SERVING and every watch ends. Read-only, so anyone the pipe's DACL admits may use it.
//
// Answers come from the newest status on the StatusBoard, never from the engine itself, so the
// health pipe is served by threads of its own (supd's read side) and no check waits for the io
// thread. That status may be stale if the io thread stalls: while supd's SelfCheck says
// supervision has not answered, everything is NOT_SERVING with that reason. Portable.
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

#include "daemon/control/self_check.h"
#include "daemon/control/session.h"
#include "daemon/control/status_board.h"
#include "sup/v1/health.pb.h"

namespace sup::control {

class HealthService {
 public:
  using ServingStatus = sup::v1::HealthCheckResponse::ServingStatus;

  // `board` (and `self_check`, if given) must outlive the service. `max_watches` bounds the open
  // Watch streams.
  explicit HealthService(StatusBoard& board, std::size_t max_watches = 64,
                         const SelfCheck* self_check = nullptr);
  ~HealthService();

  std::unique_ptr<Session> Open(FrameSink& sink, const Caller& caller);

  // The status of `service` ("" for the daemon), or nullopt if there is no such worker.
  std::optional<ServingStatus> StatusOf(const std::string& service) const;
  // Why everything is NOT_SERVING when the reason is supd's own ("supd is stopping", "supervision
  // has not answered for 12 s"); nullopt otherwise.
  std::optional<std::string> Reason() const;

  // The self-check's verdict changed (supervision stopped or started answering again): each watch
  // is told its status now. The read side calls it; a publication does this by itself.
  void Recheck() { NotifyWatches(); }

  // supd is stopping: from now on everything is NOT_SERVING; every watch gets that as its last
  // frame and its connection ends.
  void Stop();
  std::size_t open_watches() const;

 private:
  class HealthSession;

  sup::v1::HealthResponse Handle(const sup::v1::HealthRequest& request,
                                 const PublishedStatus& status) const;
  std::optional<std::string> ReasonIn(const PublishedStatus& status) const;
  // `down`: supd's own reason makes everything NOT_SERVING (stopping, or not answering).
  static std::optional<ServingStatus> StatusIn(const PublishedStatus& status,
                                               const std::string& service, bool down);
  void NotifyWatches();

  const StatusBoard& board_;
  std::size_t max_watches_;
  const SelfCheck* self_check_;  // may be null: supervision is taken to answer
  // Guards the watches. Held while a watch is told of a change, so a session cannot go away
  // meanwhile (its destructor takes it too); telling only queues a frame.
  mutable std::mutex mutex_;
  std::set<HealthSession*> watches_;
  std::atomic<bool> stopped_{false};
  Subscription published_subscription_;  // last: cancelled before the rest goes
};

}  // namespace sup::control
