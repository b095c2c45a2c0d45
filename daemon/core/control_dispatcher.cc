#include "daemon/core/control_dispatcher.h"

#include "common/protocol.h"
#include "daemon/core/status_wire.h"

namespace sup {
namespace {

sup::v1::Response ErrorReply(std::uint64_t request_id, ErrorKind kind, std::string message) {
  sup::v1::Response response;
  response.set_request_id(request_id);
  response.mutable_error()->set_code(ToWireCode(kind));
  response.mutable_error()->set_message(std::move(message));
  return response;
}

sup::v1::WorkerCommandResult::Outcome ToWire(core::CommandResult::Outcome outcome) {
  switch (outcome) {
    case core::CommandResult::Outcome::kDone: return sup::v1::WorkerCommandResult::DONE;
    case core::CommandResult::Outcome::kAlready: return sup::v1::WorkerCommandResult::ALREADY;
    case core::CommandResult::Outcome::kNotFound: return sup::v1::WorkerCommandResult::NOT_FOUND;
    case core::CommandResult::Outcome::kRefused: return sup::v1::WorkerCommandResult::REFUSED;
  }
  return sup::v1::WorkerCommandResult::OUTCOME_UNSPECIFIED;
}

}  // namespace

ControlDispatcher::ControlDispatcher(const Clock& clock, DaemonIdentity identity, core::Supervisor& supervisor)
    : clock_(clock), identity_(std::move(identity)), supervisor_(supervisor), started_(clock.SteadyNow()) {}

Result<std::string> ControlDispatcher::HandleFrame(std::string_view payload) {
  sup::v1::Request request;
  if (!request.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return Error(ErrorKind::kInvalidArgument, "frame of " + std::to_string(payload.size()) +
                                                  " bytes is not a sup.v1.Request");
  }
  return Handle(request).SerializeAsString();
}

sup::v1::Response ControlDispatcher::Handle(const sup::v1::Request& request) {
  const std::uint64_t id = request.request_id();
  if (request.protocol_version() == 0 || request.protocol_version() > kProtocolVersion) {
    return ErrorReply(id, ErrorKind::kFailedPrecondition,
                      "protocol version " + std::to_string(request.protocol_version()) +
                          " is not supported; this supd speaks 1 to " + std::to_string(kProtocolVersion));
  }
  sup::v1::Response response;
  response.set_request_id(id);
  switch (request.body_case()) {
    case sup::v1::Request::kVersion:
      response.mutable_version()->set_daemon_version(identity_.version);
      response.mutable_version()->set_protocol_version(kProtocolVersion);
      return response;
    case sup::v1::Request::kStatus: {
      Result<sup::v1::StatusResponse> status = Status(request.status());
      if (!status) return ErrorReply(id, status.error().kind(), status.error().message());
      *response.mutable_status() = std::move(*status);
      return response;
    }
    case sup::v1::Request::kStart:
      return CommandReply(std::move(response), request.start(), &core::Supervisor::Start, &sup::v1::Response::mutable_start);
    case sup::v1::Request::kStop:
      return CommandReply(std::move(response), request.stop(), &core::Supervisor::Stop, &sup::v1::Response::mutable_stop);
    case sup::v1::Request::kRestart:
      return CommandReply(std::move(response), request.restart(), &core::Supervisor::Restart,
                          &sup::v1::Response::mutable_restart);
    case sup::v1::Request::kReset:
      return CommandReply(std::move(response), request.reset(), &core::Supervisor::Reset, &sup::v1::Response::mutable_reset);
    case sup::v1::Request::BODY_NOT_SET:
      break;
  }
  return ErrorReply(id, ErrorKind::kInvalidArgument, "request has no verb this supd knows");
}

Result<sup::v1::StatusResponse> ControlDispatcher::Status(const sup::v1::StatusRequest& request) const {
  sup::v1::StatusResponse status;
  std::string unknown;
  if (request.workers().empty()) {
    for (const core::WorkerSnapshot& worker : supervisor_.Snapshot()) *status.add_workers() = core::ToWireStatus(worker);
  } else {
    for (const std::string& name : request.workers()) {
      std::optional<core::WorkerSnapshot> worker = supervisor_.Snapshot(name);
      if (!worker) {
        unknown += (unknown.empty() ? "" : ", ") + name;
        continue;
      }
      *status.add_workers() = core::ToWireStatus(*worker);
    }
  }
  if (!unknown.empty()) return Error(ErrorKind::kNotFound, "no such worker: " + unknown);
  sup::v1::DaemonStatus* daemon = status.mutable_daemon();
  daemon->set_pid(identity_.pid);
  daemon->set_version(identity_.version);
  daemon->set_uptime_ms(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.SteadyNow() - started_).count()));
  daemon->set_config_generation(supervisor_.config_generation());
  daemon->set_server_time_unix_ms(
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch()).count());
  return status;
}

sup::v1::Response ControlDispatcher::CommandReply(sup::v1::Response response,
                                                  const sup::v1::WorkerCommandRequest& request, Verb verb,
                                                  ResultField field) {
  if (request.all() == !request.workers().empty()) {
    return ErrorReply(response.request_id(), ErrorKind::kInvalidArgument,
                      "name workers, or ask for all of them, but not both");
  }
  const std::vector<std::string> names(request.workers().begin(), request.workers().end());
  sup::v1::WorkerCommandResponse* results = (response.*field)();
  for (const core::CommandResult& result : (supervisor_.*verb)(names)) {
    sup::v1::WorkerCommandResult* wire = results->add_results();
    wire->set_worker(result.worker);
    wire->set_outcome(ToWire(result.outcome));
    wire->set_message(result.message);
  }
  return response;
}

}  // namespace sup
