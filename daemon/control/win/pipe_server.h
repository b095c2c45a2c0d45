// Serves one of supd's named pipes with overlapped I/O on the io thread: keeps one instance
// listening for the next client, works out who each client is, and gives each connection a
// protocol Session: frames read go to the session, frames the session sends are queued and
// written in order. A client that does not finish a request in time, stops reading what it is
// sent, or sends something that is not a frame is disconnected; nobody else notices. A client
// whose account already holds its share of the instances (ConnectionQuota) is refused: its first
// request is answered with the reason, and the connection closed. What clients cause is logged at
// info level, at most a few lines a minute (never a warning: those reach the event log).
//
// Threading: with `parallel` the io_context may run on several threads (the health pipe's read
// side does): the server's own state (listening, the connection list, stopping) is kept on a
// strand of its own, each connection's on a strand of the connection, so connections are served
// in parallel; the quota and the log limit lock. Without it (the control pipe, on the io thread)
// there are no strands: a strand costs a queue hop per completion, which under Wine is a server
// round trip, measurable on the control pipe's latency. Stop may be called from any thread; the
// destructor only once no thread runs the io_context any more. A session's calls come from its
// connection's executor; its FrameSink may be called from any thread.
#pragma once

#include "daemon/win/asio.h"

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/frame_codec.h"
#include "common/result.h"
#include "common/rate_limit.h"
#include "common/win/unique_handle.h"
#include "daemon/control/connection_quota.h"
#include "daemon/control/session.h"

namespace spdlog {
class logger;
}

namespace sup::win {

struct PipeServerOptions {
  std::string pipe_name;  // without the \\.\pipe\ prefix
  std::string sddl;       // security descriptor of the pipe, e.g. "D:P(A;;GA;;;SY)"
  // How many instances, and how many of them one account may hold.
  control::ConnectionLimits connections;
  std::size_t max_frame_bytes = kMaxFrameBytes;
  // A client must complete each request within this long of connecting or of its previous
  // request, or it is disconnected: a client that connects and says nothing holds no instance.
  // Not while it receives a stream.
  std::chrono::milliseconds request_deadline{10'000};
  // A write to a client must complete within this long, or the client (which stopped reading)
  // is disconnected.
  std::chrono::milliseconds write_deadline{10'000};
  // Frames waiting for a client that reads too slowly; beyond this it is disconnected.
  std::size_t max_queued_bytes = 8 * 1024 * 1024;
  // The io_context runs on several threads (see Threading above).
  bool parallel = false;
  // Whether another process serving the name makes Start fail (false: the name supd must have)
  // or is waited for (true: a well-known name kept for compatibility, which any user may create
  // while supd is down): supd then warns once, naming the holder (and tells `on_name_taken`, for
  // event log), tries again after 1 s, 2 s, ... up to kMaxClaimRetry, and serves the name as soon
  // as it is free. Either way, a name supd lost every instance of later is claimed that way.
  bool wait_for_name = false;
  // Told why the name is taken (once, when it is found so), and nullopt once supd serves it again.
  std::function<void(const std::optional<std::string>& taken)> on_name_taken;
};

// Who is on the other end of a connected pipe instance: its role, from its token (impersonated,
// so only once it has written something).
using CallerIdentifier = std::function<control::Caller(HANDLE pipe)>;
// The account of the process that connected, as soon as it has (for the quota).
using AccountIdentifier = std::function<control::ClientAccount(HANDLE pipe)>;
// The session answering a refused client with `reason`.
using RefusalFactory =
    std::function<std::unique_ptr<control::Session>(control::FrameSink& sink, std::string reason)>;

// What a pipe serves, and how it learns who its clients are.
struct PipeService {
  control::SessionFactory open;  // the session of each admitted client
  RefusalFactory refuse;
  CallerIdentifier identify;
  AccountIdentifier account;
};

class PipeServer {
 public:
  // Creates the first instance of the pipe and starts listening (before any thread runs `io` for
  // the server, or on its strand). Fails if another process already serves the name, unless
  // `wait_for_name` (PipeHolder asks who first; FILE_FLAG_FIRST_PIPE_INSTANCE closes the race on
  // Windows, where Wine does not enforce it).
  static Result<std::unique_ptr<PipeServer>> Start(boost::asio::io_context& io,
                                                   PipeServerOptions options, PipeService service,
                                                   std::shared_ptr<spdlog::logger> log);

  PipeServer(const PipeServer&) = delete;
  PipeServer& operator=(const PipeServer&) = delete;
  ~PipeServer();

  // Stops listening and disconnects every client; pending operations finish as aborted.
  void Stop();
  // (The SetSecurity below runs on the caller's thread: call it where the io_context has one
  // thread, as supd's control pipe does.)
  // Replaces the pipe's security descriptor (the operators group changed). A pipe has one
  // descriptor for all its instances, set by the first: later instances cannot change it, so it
  // is set on the listening instance (which supd creates with WRITE_DAC). Clients already
  // connected stay; each caller is authorised per verb anyway.
  Result<void> SetSecurity(const std::string& sddl);

 private:
  class Connection;
  // Where the server's or a connection's handlers run: a strand of its own when parallel, else
  // the io_context itself.
  class Executor {
   public:
    Executor(boost::asio::io_context& io, bool strand);
    boost::asio::any_io_executor get() const;
    // Whether the calling thread is running this executor's handlers now.
    bool RunningHere() const;

   private:
    boost::asio::io_context* io_;
    std::optional<boost::asio::strand<boost::asio::io_context::executor_type>> strand_;
  };
  Executor NewExecutor() { return Executor(io_, options_.parallel); }

  PipeServer(boost::asio::io_context& io, PipeServerOptions options, PipeService service,
             std::shared_ptr<spdlog::logger> log, UniqueLocalMemory security_descriptor);

  Result<UniqueFileHandle> CreateInstance(bool first);
  // The name's first instance, if nobody else serves it; else why not (kFailedPrecondition).
  Result<UniqueFileHandle> CreateFirstInstance();
  // Takes the name when it is free, or warns (once) and tries again later.
  void Claim();
  // No instance of supd's is open: the name is free for anyone, so the next is created as a first.
  bool HoldsNoInstance() const;
  static constexpr std::chrono::milliseconds kFirstClaimRetry{1000};
  static constexpr std::chrono::milliseconds kMaxClaimRetry{30'000};
  // Waits for a client on `instance`, then starts the next instance.
  void AcceptOn(UniqueFileHandle instance);
  void AcceptNext();
  // A client connected on `pipe`: admitted, refused with a reply, or closed at once.
  void OnConnected(Executor connection_executor,
                   std::shared_ptr<boost::asio::windows::stream_handle> pipe);
  void StopNow();  // on the server's executor, or with no thread running the io_context
  // A connection ended: its instance is free again.
  void OnConnectionClosed();
  // Logs something a client caused, at info level and at most kClientLogBurst lines a minute.
  void LogClientProblem(const control::ClientAccount& account, std::string_view what,
                        std::string_view reason);
  void LogLimited(const std::string& line);

  boost::asio::io_context& io_;
  PipeServerOptions options_;
  std::wstring path_;
  PipeService service_;
  control::ConnectionQuota quota_;
  SharedRateLimit client_log_limit_;  // connections on several threads log through it
  std::shared_ptr<spdlog::logger> log_;
  UniqueLocalMemory security_descriptor_;
  SECURITY_ATTRIBUTES security_attributes_{};
  std::shared_ptr<boost::asio::windows::stream_handle>
      listening_;      // the instance awaiting a client
  Executor executor_;  // the server's own state: listening_, connections_, stopped_, the retry
  boost::asio::steady_timer retry_timer_;
  std::vector<std::weak_ptr<Connection>> connections_;
  bool name_taken_ = false;  // another process serves the name: warned about, waited for
  std::chrono::milliseconds claim_retry_ = kFirstClaimRetry;
  bool stopped_ = false;
};

}  // namespace sup::win
