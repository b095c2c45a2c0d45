// Answers control-pipe requests: one decoded frame in, one encoded reply out. Portable and free
// of I/O, so every request path is unit-tested without a pipe. Runs on the io thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "daemon/core/supervisor.h"
#include "sup/v1/control.pb.h"

namespace sup {

struct DaemonIdentity {
  std::uint32_t pid = 0;
  std::string version;
};

class ControlDispatcher {
 public:
  // `clock` and `supervisor` must outlive the dispatcher; the daemon's start time is read now.
  ControlDispatcher(const Clock& clock, DaemonIdentity identity, core::Supervisor& supervisor);

  // The reply frame's payload for one request payload. Fails only when the payload is not a
  // sup.v1.Request at all: the stream is then not speaking our protocol and the caller closes it.
  // Every other problem (unknown verb, newer protocol, unknown worker) is an Error in the reply.
  Result<std::string> HandleFrame(std::string_view payload);

  sup::v1::Response Handle(const sup::v1::Request& request);

 private:
  Result<sup::v1::StatusResponse> Status(const sup::v1::StatusRequest& request) const;
  // Start, Stop, Restart or Reset: runs `verb` on the named workers (or all) and puts one result
  // per worker into the reply's `field`.
  using Verb = std::vector<core::CommandResult> (core::Supervisor::*)(const std::vector<std::string>&);
  using ResultField = sup::v1::WorkerCommandResponse* (sup::v1::Response::*)();
  sup::v1::Response CommandReply(sup::v1::Response response, const sup::v1::WorkerCommandRequest& request, Verb verb,
                                 ResultField field);

  const Clock& clock_;
  DaemonIdentity identity_;
  core::Supervisor& supervisor_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace sup
