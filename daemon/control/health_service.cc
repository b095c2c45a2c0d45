#include "daemon/control/health_service.h"

#include <algorithm>

#include "common/protocol.h"

namespace sup::control {
namespace {

using Check = sup::v1::HealthCheckResponse;

sup::v1::HealthResponse HealthErrorReply(std::uint64_t request_id, ErrorKind kind,
                                         std::string message) {
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
  ~HealthSession() override {
    std::lock_guard lock(service_.mutex_);
    service_.watches_.erase(this);
  }

  Result<void> OnFrame(std::string_view payload) override {
    if (streaming())
      return Error(ErrorKind::kInvalidArgument,
                   "a request arrived on a connection that carries a watch");
    sup::v1::HealthRequest request;
    if (!request.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return Error(ErrorKind::kInvalidArgument, "frame of " + std::to_string(payload.size()) +
                                                    " bytes is not a sup.v1.HealthRequest");
    }
    if (!request.has_watch()) {
      Reply(service_.Handle(request, *service_.board_.Latest()));
      return Ok();
    }
    // A watch starts from the status it was first told, under the lock, so that no publication
    // can come between that answer and its registration.
    std::lock_guard lock(service_.mutex_);
    sup::v1::HealthResponse first = service_.Handle(request, *service_.board_.Latest());
    if (first.has_error()) {
      Reply(first);
      return Ok();
    }
    if (service_.stopped_ || service_.watches_.size() >= service_.max_watches_) {
      Reply(HealthErrorReply(request.request_id(), ErrorKind::kUnavailable,
                             service_.stopped_ ? "supd is stopping"
                                               : "too many open watches (limit " +
                                                     std::to_string(service_.max_watches_) + ")"));
      return Ok();
    }
    Reply(first);
    request_id_ = request.request_id();
    name_ = request.watch().service();
    last_ = first.watch().status();
    watching_ = true;
    service_.watches_.insert(this);
    return Ok();
  }

  bool streaming() const override { return watching_; }
  const std::string& name() const { return name_; }

  // Sends `now` (with supd's own `reason`, if any) if it differs from what this watch last sent.
  void Notify(ServingStatus now, const std::optional<std::string>& reason) {
    if (now == last_) return;
    last_ = now;
    sup::v1::HealthResponse frame;
    frame.set_request_id(request_id_);
    frame.mutable_watch()->set_status(now);
    if (reason) frame.mutable_watch()->set_reason(*reason);
    Reply(frame);
  }

  void End() {
    watching_ = false;
    sup::v1::HealthResponse last;
    last.set_request_id(request_id_);
    last.mutable_watch()->set_status(Check::NOT_SERVING);
    last.mutable_watch()->set_end_of_stream(true);
    last.mutable_watch()->set_reason("supd is stopping");
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

HealthService::HealthService(StatusBoard& board, std::size_t max_watches,
                             const SelfCheck* self_check)
    : board_(board),
      max_watches_(max_watches),
      self_check_(self_check),
      published_subscription_(board.OnPublished([this] { NotifyWatches(); })) {}

// Each publication may change a status (a transition, a readiness probe, a dependency). Each
// watched name is worked out once per publication, however many watch it; a worker removed from
// the configuration reads as NOT_SERVING.
void HealthService::NotifyWatches() {
  std::lock_guard lock(mutex_);
  if (watches_.empty()) return;
  const std::shared_ptr<const PublishedStatus> status = board_.Latest();
  const std::optional<std::string> reason = ReasonIn(*status);
  std::map<std::string, ServingStatus> statuses;
  for (HealthSession* session : watches_) {
    auto [found, fresh] = statuses.try_emplace(session->name());
    if (fresh) {
      found->second =
          StatusIn(*status, session->name(), reason.has_value()).value_or(Check::NOT_SERVING);
    }
    session->Notify(found->second, reason);  // only queues a frame: the set stays as it is
  }
}

HealthService::~HealthService() = default;

std::unique_ptr<Session> HealthService::Open(FrameSink& sink, const Caller&) {
  return std::make_unique<HealthSession>(*this, sink);
}

std::size_t HealthService::open_watches() const {
  std::lock_guard lock(mutex_);
  return watches_.size();
}

std::optional<HealthService::ServingStatus> HealthService::StatusOf(
    const std::string& service) const {
  const std::shared_ptr<const PublishedStatus> status = board_.Latest();
  return StatusIn(*status, service, ReasonIn(*status).has_value());
}

std::optional<std::string> HealthService::Reason() const { return ReasonIn(*board_.Latest()); }

std::optional<std::string> HealthService::ReasonIn(const PublishedStatus& status) const {
  if (stopped_ || status.stopping) return "supd is stopping";
  if (self_check_) return self_check_->Problem();
  return std::nullopt;
}

std::optional<HealthService::ServingStatus> HealthService::StatusIn(const PublishedStatus& status,
                                                                    const std::string& service,
                                                                    bool down) {
  const bool over = down || status.stopping;
  if (!service.empty()) {
    const auto worker = std::lower_bound(
        status.workers.begin(), status.workers.end(), service,
        [](const engine::WorkerSnapshot& w, const std::string& name) { return w.name < name; });
    if (worker == status.workers.end() || worker->name != service) return std::nullopt;
    return !over && engine::IsServing(*worker) ? Check::SERVING : Check::NOT_SERVING;
  }
  if (over) return Check::NOT_SERVING;
  for (const engine::WorkerSnapshot& worker : status.workers) {
    if (!engine::IsServing(worker))
      return Check::NOT_SERVING;  // the predicate of `supctl status`'s exit code
  }
  return Check::SERVING;
}

void HealthService::Stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  for (HealthSession* session : watches_) session->End();
  watches_.clear();
}

sup::v1::HealthResponse HealthService::Handle(const sup::v1::HealthRequest& request,
                                              const PublishedStatus& status) const {
  const std::uint64_t id = request.request_id();
  if (std::optional<std::string> unsupported =
          UnsupportedProtocolVersion(request.protocol_version())) {
    return HealthErrorReply(id, ErrorKind::kFailedPrecondition, *unsupported);
  }
  sup::v1::HealthResponse response;
  response.set_request_id(id);
  // Read once, so that every entry of one answer agrees.
  const std::optional<std::string> reason = ReasonIn(status);
  switch (request.body_case()) {
    case sup::v1::HealthRequest::kCheck:
    case sup::v1::HealthRequest::kWatch: {
      const bool watch = request.has_watch();
      const std::string& name = watch ? request.watch().service() : request.check().service();
      std::optional<ServingStatus> serving = StatusIn(status, name, reason.has_value());
      if (!serving) return HealthErrorReply(id, ErrorKind::kNotFound, "no such worker: " + name);
      sup::v1::HealthCheckResponse* check =
          watch ? response.mutable_watch() : response.mutable_check();
      check->set_status(*serving);
      if (reason) check->set_reason(*reason);
      return response;
    }
    case sup::v1::HealthRequest::kList: {
      sup::v1::HealthListEntry* daemon = response.mutable_list()->add_services();
      daemon->set_service("");
      daemon->set_status(*StatusIn(status, "", reason.has_value()));
      for (const engine::WorkerSnapshot& worker : status.workers) {
        sup::v1::HealthListEntry* entry = response.mutable_list()->add_services();
        entry->set_service(worker.name);
        entry->set_status(*StatusIn(status, worker.name, reason.has_value()));
      }
      return response;
    }
    case sup::v1::HealthRequest::BODY_NOT_SET: break;
  }
  return HealthErrorReply(id, ErrorKind::kInvalidArgument, "request has no verb this supd knows");
}

}  // namespace sup::control
