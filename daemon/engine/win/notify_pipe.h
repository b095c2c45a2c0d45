// One launched process's notify pipe (common/notify_protocol.h): \\.\pipe\sup-notify-<token>, made
// before the process starts, so that its name can go into SUP_NOTIFY_PIPE and a client of the
// very first moment finds it (an instance waits for a client from CreateNamedPipe on: a client
// may connect and write before Begin, and is read once it is called).
//
// The name is unguessable and its first instance is made with FILE_FLAG_FIRST_PIPE_INSTANCE, so
// nobody can serve it first. Its descriptor lets SYSTEM, Administrators and the worker's SID
// write; only real Windows enforces that. What holds under Wine too is the check that decides:
// each client's process (GetNamedPipeClientProcessId) must be in the worker's job, or its
// connection is closed unread and counted.
//
// Threading: the io thread. Destroying it closes every instance; nothing is reported after that.
#pragma once

#include "daemon/win/asio.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/notify_protocol.h"
#include "common/result.h"

namespace spdlog {
class logger;
}

namespace sup::win {

class NotifyPipe {
 public:
  using OnMessage = std::function<void(NotifyMessage message)>;
  // Connections served at once; one more waits until one ends.
  static constexpr std::size_t kMaxConnections = 8;

  // `writer_sid`: the worker's SID, which its processes carry ("" for none beyond SYSTEM's).
  static Result<std::unique_ptr<NotifyPipe>> Create(boost::asio::io_context& io,
                                                    const std::string& writer_sid,
                                                    std::shared_ptr<spdlog::logger> log);
  ~NotifyPipe();
  NotifyPipe(const NotifyPipe&) = delete;
  NotifyPipe& operator=(const NotifyPipe&) = delete;

  // \\.\pipe\sup-notify-<token>, for SUP_NOTIFY_PIPE.
  const std::string& path() const;
  // Serves clients from now on: each line a process in `job` writes goes to `on_message`, in
  // order; a client outside the job, a line that is not a message, or a line over
  // kMaxNotifyLineBytes closes that connection. `worker` names it in supd's log.
  void Begin(HANDLE job, std::string worker, OnMessage on_message);
  // Clients turned away since Create: not in the job, or a line that is not a message.
  std::uint64_t refused() const;

 private:
  struct State;
  explicit NotifyPipe(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;  // shared with the pending operations, which outlive nothing
};

}  // namespace sup::win
