// The session of a connection supd refused (ConnectionQuota): its first request is answered with
// RESOURCE_EXHAUSTED and the reason, then the connection ends. Speaks either protocol: `Request`
// and `Response` are sup.v1.Request/Response or sup.v1.HealthRequest/HealthResponse. Threading: io
// thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "common/protocol.h"
#include "daemon/control/session.h"

namespace sup::control {

template <typename Request, typename Response>
class RefusingSession final : public Session {
 public:
  RefusingSession(FrameSink& sink, std::string reason) : sink_(sink), reason_(std::move(reason)) {}

  Result<void> OnFrame(std::string_view payload) override {
    Request request;
    if (!request.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return Error(ErrorKind::kInvalidArgument, "the frame is not a " + request.GetTypeName());
    }
    Response response;
    response.set_request_id(request.request_id());
    response.mutable_error()->set_code(ToWireCode(ErrorKind::kResourceExhausted));
    response.mutable_error()->set_message("supd refused the connection: " + reason_);
    sink_.Send(response.SerializeAsString());
    sink_.End();
    return Ok();
  }

  bool streaming() const override { return false; }

 private:
  FrameSink& sink_;
  std::string reason_;
};

}  // namespace sup::control
