// The health protocol (sup.v1.HealthRequest on \\.\pipe\sup-health), shaped after
// grpc.health.v1: "" is the daemon as a whole, SERVING when every worker supd wants up is
// RUNNING and ready; a worker is SERVING when it is RUNNING and ready; other names are NOT_FOUND.
// Watch sends the current status at once and then every change; when supd stops everything is
// NOT_SERVING and every watch ends. Read-only, so anyone the pipe's DACL admits may use it.
// Portable; runs on the io thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "daemon/control/event_feed.h"
#include "daemon/control/session.h"
#include "daemon/engine/supervisor.h"
#include "sup/v1/health.pb.h"

namespace sup::control {

class HealthService {
 public:
  using ServingStatus = sup::v1::HealthCheckResponse::ServingStatus;

  // `supervisor` and `events` must outlive the service. `max_watches` bounds the open Watch
  // streams.
  HealthService(const engine::Supervisor& supervisor, EventFeed& events,
                std::size_t max_watches = 64);
  ~HealthService();

  std::unique_ptr<Session> Open(FrameSink& sink, const Caller& caller);

  // The status of `service` ("" for the daemon), or nullopt if there is no such worker.
  std::optional<ServingStatus> StatusOf(const std::string& service) const;

  // supd is stopping: from now on everything is NOT_SERVING; every watch gets that as its last
  // frame and its connection ends.
  void Stop();
  std::size_t open_watches() const { return watches_.size(); }

 private:
  class HealthSession;

  sup::v1::HealthResponse Handle(const sup::v1::HealthRequest& request) const;
  ServingStatus StatusOfWorker(const engine::WorkerSnapshot& worker) const;
  void NotifyWatches();

  const engine::Supervisor& supervisor_;
  std::size_t max_watches_;
  std::set<HealthSession*> watches_;
  bool stopped_ = false;
  Subscription events_subscription_;  // last: cancelled before the rest goes
};

}  // namespace sup::control
