#include "daemon/core/control_dispatcher.h"

#include "common/protocol.h"

namespace sup {
namespace {

sup::v1::Response ErrorReply(std::uint64_t request_id, ErrorKind kind, std::string message) {
  sup::v1::Response response;
  response.set_request_id(request_id);
  response.mutable_error()->set_code(ToWireCode(kind));
  response.mutable_error()->set_message(std::move(message));
  return response;
}

}  // namespace

ControlDispatcher::ControlDispatcher(const Clock& clock, DaemonIdentity identity)
    : clock_(clock), identity_(std::move(identity)), started_(clock.SteadyNow()) {}

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
    case sup::v1::Request::BODY_NOT_SET:
      break;
  }
  return ErrorReply(id, ErrorKind::kInvalidArgument, "request has no verb this supd knows");
}

Result<sup::v1::StatusResponse> ControlDispatcher::Status(const sup::v1::StatusRequest& request) const {
  // No workers are hosted yet, so every name asked for is unknown.
  if (!request.workers().empty()) {
    std::string names;
    for (const std::string& name : request.workers()) names += (names.empty() ? "" : ", ") + name;
    return Error(ErrorKind::kNotFound, "no such worker: " + names);
  }
  sup::v1::StatusResponse status;
  sup::v1::DaemonStatus* daemon = status.mutable_daemon();
  daemon->set_pid(identity_.pid);
  daemon->set_version(identity_.version);
  daemon->set_uptime_ms(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.SteadyNow() - started_).count()));
  daemon->set_server_time_unix_ms(
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch()).count());
  return status;
}

}  // namespace sup
