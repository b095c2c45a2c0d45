// Serves one of supd's named pipes with overlapped I/O on the io thread: keeps one instance
// listening for the next client, and for each connected client reads frames, hands each payload
// to the frame handler and writes back its reply, one request at a time.
//
// Threading: Start, Stop and every callback run on the io thread (the io_context's one thread).
#pragma once

#include "daemon/win/asio.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/frame_codec.h"
#include "common/result.h"
#include "common/win/unique_handle.h"

namespace spdlog {
class logger;
}

namespace sup::win {

struct PipeServerOptions {
  std::string pipe_name;  // without the \\.\pipe\ prefix
  std::string sddl;       // security descriptor of every instance, e.g. "D:P(A;;GA;;;SY)"
  int max_instances = 32;
  std::size_t max_frame_bytes = kMaxFrameBytes;
  // A client must complete each request within this long of connecting or of its previous
  // reply, or it is disconnected: a client that connects and says nothing holds no instance.
  std::chrono::milliseconds request_deadline{10'000};
};

class PipeServer {
 public:
  // The reply payload for one request payload; an error closes that client's connection.
  using FrameHandler = std::function<Result<std::string>(std::string_view payload)>;

  // Creates the first instance of the pipe and starts listening. Fails if another process
  // already owns the name (FILE_FLAG_FIRST_PIPE_INSTANCE: refuses pipe squatting; Wine does not
  // enforce the flag, which is why supd also holds a named mutex).
  static Result<std::unique_ptr<PipeServer>> Start(boost::asio::io_context& io, PipeServerOptions options,
                                                   FrameHandler handler, std::shared_ptr<spdlog::logger> log);

  PipeServer(const PipeServer&) = delete;
  PipeServer& operator=(const PipeServer&) = delete;
  ~PipeServer();

  // Stops listening and disconnects every client; pending operations finish as aborted.
  void Stop();

 private:
  class Connection;

  PipeServer(boost::asio::io_context& io, PipeServerOptions options, FrameHandler handler,
             std::shared_ptr<spdlog::logger> log, UniqueLocalMemory security_descriptor);

  Result<UniqueFileHandle> CreateInstance(bool first);
  // Waits for a client on `instance`, then starts the next instance.
  void AcceptOn(UniqueFileHandle instance);
  void AcceptNext();

  boost::asio::io_context& io_;
  PipeServerOptions options_;
  std::wstring path_;
  FrameHandler handler_;
  std::shared_ptr<spdlog::logger> log_;
  UniqueLocalMemory security_descriptor_;
  SECURITY_ATTRIBUTES security_attributes_{};
  std::shared_ptr<boost::asio::windows::stream_handle> listening_;  // the instance awaiting a client
  boost::asio::steady_timer retry_timer_;
  std::vector<std::weak_ptr<Connection>> connections_;
  bool stopped_ = false;
};

}  // namespace sup::win
