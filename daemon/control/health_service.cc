#include "daemon/control/health_service.h"

#include "common/protocol.h"

namespace sup::control {
namespace {

using Check = sup::v1::HealthCheckResponse;

sup::v1::HealthResponse ErrorReply(std::uint64_t request_id, ErrorKind kind, std::string message) {
  sup::v1::HealthResponse response;
  response.set_request_id(request_id);
  response.mutable_error()->set_code(ToWireCode(kind));
  response.mutable_error()->set_message(std::move(message));
  return response;
}

}  // namespace

// One client of the health pipe; a Watch turns it into a stream of status changes.
class HealthService::HealthSession final : public Session {
 public:
  HealthSession(HealthService& service, FrameSink& sink) : service_(service), sink_(sink) {}
  ~HealthSession() override { service_.watches_.erase(this); }

  Result<void> OnFrame(std::string_view payload) override {
    if (streaming())
      return Error(ErrorKind::kInvalidArgument,
                   "a request arrived on a connection that carries a watch");
    sup::v1::HealthRequest request;
    if (!request.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return Error(ErrorKind::kInvalidArgument, "frame of " + std::to_string(payload.size()) +
                                                    " bytes is not a sup.v1.HealthRequest");
    }
    sup::v1::HealthResponse first = service_.Handle(request);
    const bool watch = request.has_watch() && !first.has_error();
    if (watch && (service_.stopped_ || service_.watches_.size() >= service_.max_watches_)) {
      Reply(ErrorReply(request.request_id(), ErrorKind::kUnavailable,
                       service_.stopped_ ? "supd is stopping"
                                         : "too many open watches (limit " +
                                               std::to_string(service_.max_watches_) + ")"));
      return Ok();
    }
    Reply(first);
    if (watch) {
      request_id_ = request.request_id();
      name_ = request.watch().service();
      last_ = first.watch().status();
      watching_ = true;
      service_.watches_.insert(this);
    }
    return Ok();
  }

  bool streaming() const override { return watching_; }
  const std::string& name() const { return name_; }

  // Sends `now` if it differs from what this watch last sent.
  void Notify(ServingStatus now) {
    if (now == last_) return;
    last_ = now;
    sup::v1::HealthResponse frame;
    frame.set_request_id(request_id_);
    frame.mutable_watch()->set_status(now);
    Reply(frame);
  }

  void End() {
    watching_ = false;
    sup::v1::HealthResponse last;
    last.set_request_id(request_id_);
    last.mutable_watch()->set_status(Check::NOT_SERVING);
    last.mutable_watch()->set_end_of_stream(true);
    Reply(last);
    sink_.End();
  }

 private:
  void Reply(const sup::v1::HealthResponse& response) { sink_.Send(response.SerializeAsString()); }

  HealthService& service_;
  FrameSink& sink_;
  bool watching_ = false;
  std::uint64_t request_id_ = 0;
  std::string name_;
  ServingStatus last_ = Check::UNKNOWN;
};

HealthService::HealthService(const engine::Supervisor& supervisor, EventFeed& events,
                             std::size_t max_watches)
    : supervisor_(supervisor),
      max_watches_(max_watches),
      events_subscription_(events.Follow([this](const engine::Event&) { NotifyWatches(); })) {}

// Every event may change a status (a transition, a readiness probe, a dependency). Each watched
// name is worked out once per event, however many watch it; a worker removed from the
// configuration reads as NOT_SERVING.
void HealthService::NotifyWatches() {
  if (watches_.empty()) return;
  std::map<std::string, ServingStatus> statuses;
  const std::set<HealthSession*> open = watches_;
  for (HealthSession* session : open) {
    if (!watches_.contains(session)) continue;  // ended by an earlier one's frame
    auto [status, fresh] = statuses.try_emplace(session->name());
    if (fresh) status->second = StatusOf(session->name()).value_or(Check::NOT_SERVING);
    session->Notify(status->second);
  }
}

HealthService::~HealthService() = default;

std::unique_ptr<Session> HealthService::Open(FrameSink& sink, const Caller&) {
  return std::make_unique<HealthSession>(*this, sink);
}

std::optional<HealthService::ServingStatus> HealthService::StatusOf(
    const std::string& service) const {
  if (!service.empty()) {
    std::optional<engine::WorkerSnapshot> worker = supervisor_.Snapshot(service);
    if (!worker) return std::nullopt;
    return StatusOfWorker(*worker);
  }
  if (stopped_ || supervisor_.shutting_down()) return Check::NOT_SERVING;
  for (const engine::WorkerSnapshot& worker : supervisor_.Snapshot()) {
    if (!engine::IsServing(worker))
      return Check::NOT_SERVING;  // the predicate of `supctl status`'s exit code
  }
  return Check::SERVING;
}

HealthService::ServingStatus HealthService::StatusOfWorker(
    const engine::WorkerSnapshot& worker) const {
  return !stopped_ && engine::IsServing(worker) ? Check::SERVING : Check::NOT_SERVING;
}

void HealthService::Stop() {
  stopped_ = true;
  const std::set<HealthSession*> open = watches_;
  watches_.clear();
  for (HealthSession* session : open) session->End();
}

sup::v1::HealthResponse HealthService::Handle(const sup::v1::HealthRequest& request) const {
  const std::uint64_t id = request.request_id();
  if (std::optional<std::string> unsupported =
          UnsupportedProtocolVersion(request.protocol_version())) {
    return ErrorReply(id, ErrorKind::kFailedPrecondition, *unsupported);
  }
  sup::v1::HealthResponse response;
  response.set_request_id(id);
  switch (request.body_case()) {
    case sup::v1::HealthRequest::kCheck:
    case sup::v1::HealthRequest::kWatch: {
      const bool watch = request.has_watch();
      const std::string& name = watch ? request.watch().service() : request.check().service();
      std::optional<ServingStatus> status = StatusOf(name);
      if (!status) return ErrorReply(id, ErrorKind::kNotFound, "no such worker: " + name);
      (watch ? response.mutable_watch() : response.mutable_check())->set_status(*status);
      return response;
    }
    case sup::v1::HealthRequest::kList: {
      sup::v1::HealthListEntry* daemon = response.mutable_list()->add_services();
      daemon->set_service("");
      daemon->set_status(*StatusOf(""));
      for (const engine::WorkerSnapshot& worker : supervisor_.Snapshot()) {
        sup::v1::HealthListEntry* entry = response.mutable_list()->add_services();
        entry->set_service(worker.name);
        entry->set_status(StatusOfWorker(worker));
      }
      return response;
    }
    case sup::v1::HealthRequest::BODY_NOT_SET: break;
  }
  return ErrorReply(id, ErrorKind::kInvalidArgument, "request has no verb this supd knows");
}

}  // namespace sup::control
