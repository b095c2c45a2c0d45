// One connected client of a pipe, as the protocol side sees it: frames in through Session,
// frames out through FrameSink. The transport (daemon/control/win/pipe_server) owns both ends; the
// protocol services (control, health) stay portable and are tested with a recording sink.
// Threading: io thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "daemon/control/authorization.h"

namespace sup::control {

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // Queues one frame's payload; frames go out in order. Ignored once the connection is closed.
  virtual void Send(std::string payload) = 0;
  // Closes the connection once everything queued has been written.
  virtual void End() = 0;
};

class Session {
 public:
  virtual ~Session() = default;
  // One request frame's payload. An error closes the connection: the client does not speak the
  // protocol at all. Every other problem is answered with an Error reply.
  virtual Result<void> OnFrame(std::string_view payload) = 0;
  // While a stream is open the client owes no request, so no request deadline applies.
  virtual bool streaming() const = 0;
};

// A Session for each new connection, writing to `sink` (which outlives it).
using SessionFactory =
    std::function<std::unique_ptr<Session>(FrameSink& sink, const Caller& caller)>;

}  // namespace sup::control
