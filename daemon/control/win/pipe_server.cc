#include "daemon/control/win/pipe_server.h"

#include <sddl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <deque>
#include <optional>

#include "common/win/object_security.h"
#include "common/win/pipe_client.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "daemon/control/win/pipe_holder.h"

namespace sup::win {

namespace asio = boost::asio;
using boost::system::error_code;

// What clients cause is logged at most this often (per pipe); the next line let through says
// how many were left out.
constexpr int kClientLogBurst = 10;
constexpr auto kClientLogWindow = std::chrono::minutes(1);

// One connected client, and the FrameSink of its session. Owned by the handlers of its pending
// operations (shared_from_this); the server keeps only a weak reference, to disconnect it on
// Stop. Frames to send wait in a queue and are written one at a time, in order. Everything it
// does runs on its executor: Send and End from elsewhere (a health watch told of a change) are
// posted there.
class PipeServer::Connection : public std::enable_shared_from_this<Connection>,
                               public control::FrameSink {
 public:
  using Clock = asio::steady_timer::clock_type;

  // `pipe` does its work on `executor`. `hold` is the connection's place in the quota; `refusal`,
  // if any, the reason it was refused (its first request is answered with that).
  Connection(Executor executor, asio::windows::stream_handle pipe, const PipeServerOptions& options,
             std::shared_ptr<spdlog::logger> log, control::ClientAccount account,
             control::ConnectionQuota::Hold hold, std::optional<std::string> refusal)
      : executor_(std::move(executor)),
        pipe_(std::move(pipe)),
        decoder_(options.max_frame_bytes),
        options_(options),
        watchdog_(pipe_.get_executor()),
        log_(std::move(log)),
        account_(std::move(account)),
        hold_(std::move(hold)),
        refusal_(std::move(refusal)) {}

  // `server` outlives every running io handler; once it stops, every connection is closed.
  void Start(PipeServer& server) {
    server_ = &server;
    ExpectRequest();
    ReadMore();
  }

  void Send(std::string payload) override {
    if (!executor_.RunningHere()) {
      asio::post(executor_.get(),
                 [weak = weak_from_this(), payload = std::move(payload)]() mutable {
                   if (std::shared_ptr<Connection> self = weak.lock())
                     self->Send(std::move(payload));
                 });
      return;
    }
    if (closed_) return;
    Result<std::string> frame = EncodeFrame(payload, options_.max_frame_bytes);
    if (!frame) {
      log_->error("frame not sent pipe={} reason=\"{}\"", options_.pipe_name,
                  frame.error().message());
      Close();
      return;
    }
    queued_bytes_ += frame->size();
    if (queued_bytes_ > options_.max_queued_bytes) {
      Drop("not reading: " + std::to_string(queued_bytes_) + " bytes waiting");
      return;
    }
    queue_.push_back(std::move(*frame));
    if (!writing_) WriteNext();
  }

  void End() override {
    if (!executor_.RunningHere()) {
      asio::post(executor_.get(), [weak = weak_from_this()] {
        if (std::shared_ptr<Connection> self = weak.lock()) self->End();
      });
      return;
    }
    ending_ = true;
    if (!writing_) Close();
  }

  // From any thread (the server's Stop).
  void CloseFromAnywhere() {
    asio::dispatch(executor_.get(), [self = shared_from_this()] { self->Close(); });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    watchdog_.cancel();
    error_code ignored;
    pipe_.close(ignored);  // pending operations complete as aborted; their buffers live until then
    hold_.Release();       // now, not when the last handler lets go of this connection
    if (server_) server_->OnConnectionClosed();
  }

 private:
  void Drop(std::string_view reason) {
    if (server_) server_->LogClientProblem(account_, "dropped", reason);
    Close();
  }

  void ReadMore() {
    pipe_.async_read_some(
        asio::buffer(buffer_),
        [self = shared_from_this()](error_code ec, std::size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(error_code ec, std::size_t n) {
    if (closed_) return;
    if (ec) {
      if (decoder_.mid_frame() && ec != asio::error::operation_aborted) {
        log_->debug("pipe client disconnected mid-frame pipe={}", options_.pipe_name);
      }
      Close();
      return;
    }
    if (Result<void> fed = decoder_.Feed(std::string_view(buffer_.data(), n)); !fed) {
      Drop(fed.error().message());
      return;
    }
    bool answered = false;
    while (std::optional<std::string> payload = decoder_.Pop()) {
      answered = true;
      // Who the client is can only be asked once it has written something (impersonation takes
      // the security context of the last message read).
      if (!session_) session_ = OpenSession();
      if (Result<void> handled = session_->OnFrame(*payload); !handled) {
        Drop(handled.error().message());
        return;
      }
      if (closed_) return;
    }
    const bool streaming = session_ && session_->streaming();
    if (streaming) {
      request_due_.reset();
    } else if (answered) {
      ExpectRequest();
    }
    // A client that asks and waits sends its next request only once it has the reply: a read
    // issued now would wait, and under Wine a read that waits costs the thread a signal and two
    // more round trips to Wine's server when the data comes (measured: about a tenth of a health
    // check). Issued when the reply is written, it finds the request there and completes at once.
    // A streaming client's read stays pending: it is how its going away is noticed.
    if (writing_ && !streaming) {
      read_after_write_ = true;
      return;
    }
    ReadMore();
  }

  std::unique_ptr<control::Session> OpenSession() {
    const PipeService& service = server_->service_;
    if (refusal_) return service.refuse(*this, *refusal_);
    return service.open(*this, service.identify(pipe_.native_handle()));
  }

  void WriteNext() {
    writing_ = true;
    write_due_ = Clock::now() + options_.write_deadline;
    Watch();
    asio::async_write(pipe_, asio::buffer(queue_.front()),
                      [self = shared_from_this()](error_code ec, std::size_t) {
                        self->writing_ = false;
                        self->write_due_.reset();
                        self->queued_bytes_ -= self->queue_.front().size();
                        self->queue_.pop_front();
                        if (ec || self->closed_) {
                          self->Close();
                          return;
                        }
                        if (!self->queue_.empty()) {
                          self->WriteNext();
                        } else if (self->ending_) {
                          self->Close();
                        } else if (self->read_after_write_) {
                          self->read_after_write_ = false;
                          self->ReadMore();
                        }
                      });
  }

  // The client owes a complete request within the request deadline.
  void ExpectRequest() {
    request_due_ = Clock::now() + options_.request_deadline;
    Watch();
  }

  // Both deadlines share one timer that is armed lazily: a deadline that moves later (every
  // request, every write) only changes a time here, and the timer, when it fires, re-arms for
  // whatever is due next. Re-arming the timer on each request cost two extra completions per
  // round trip (the cancelled waits), measurable on the control pipe's latency.
  void Watch() {
    const std::optional<Clock::time_point> due = NextDue();
    if (!due || (watchdog_expiry_ && *watchdog_expiry_ <= *due))
      return;  // armed early enough already
    watchdog_expiry_ = *due;
    watchdog_.expires_at(*due);
    watchdog_.async_wait([weak = weak_from_this(), due = *due](error_code ec) {
      if (ec) return;  // re-armed earlier, or closed
      if (std::shared_ptr<Connection> self = weak.lock()) self->OnWatchdog(due);
    });
  }

  void OnWatchdog(Clock::time_point armed_for) {
    if (closed_ || watchdog_expiry_ != armed_for) return;
    watchdog_expiry_.reset();
    const Clock::time_point now = Clock::now();
    if (write_due_ && *write_due_ <= now) {
      Drop("a write did not complete within " + std::to_string(options_.write_deadline.count()) +
           " ms");
    } else if (request_due_ && *request_due_ <= now) {
      Drop("no complete request within " + std::to_string(options_.request_deadline.count()) +
           " ms");
    } else {
      Watch();
    }
  }

  std::optional<Clock::time_point> NextDue() const {
    if (!write_due_) return request_due_;
    if (!request_due_) return write_due_;
    return std::min(*write_due_, *request_due_);
  }

  Executor executor_;
  asio::windows::stream_handle pipe_;
  PipeServer* server_ = nullptr;
  FrameDecoder decoder_;
  const PipeServerOptions& options_;  // the server's, which outlives every running io handler
  asio::steady_timer watchdog_;
  std::optional<Clock::time_point> watchdog_expiry_;  // when the watchdog fires, if armed
  std::optional<Clock::time_point> request_due_;      // a complete request is owed by then
  std::optional<Clock::time_point> write_due_;        // the write under way must finish by then
  std::shared_ptr<spdlog::logger> log_;
  control::ClientAccount account_;
  control::ConnectionQuota::Hold hold_;
  std::optional<std::string> refusal_;
  std::unique_ptr<control::Session> session_;  // from the first request on
  std::array<char, 64 * 1024> buffer_;
  std::deque<std::string> queue_;  // encoded frames; the front one is being written
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool read_after_write_ = false;  // the next read waits for the reply to be written
  bool ending_ = false;
  bool closed_ = false;

 public:
  const Executor& executor() const { return executor_; }
};

PipeServer::PipeServer(asio::io_context& io, PipeServerOptions options, PipeService service,
                       std::shared_ptr<spdlog::logger> log, UniqueLocalMemory security_descriptor)
    : io_(io),
      options_(std::move(options)),
      path_(PipePath(options_.pipe_name)),
      service_(std::move(service)),
      quota_(options_.connections),
      client_log_limit_(kClientLogBurst, kClientLogWindow),
      log_(std::move(log)),
      security_descriptor_(std::move(security_descriptor)),
      executor_(NewExecutor()),
      retry_timer_(executor_.get()) {
  security_attributes_.nLength = sizeof(security_attributes_);
  security_attributes_.lpSecurityDescriptor = security_descriptor_.get();
  security_attributes_.bInheritHandle = FALSE;
}

// Every thread running the io_context has returned by now (supd joins them before it destroys its
// servers), so the stop runs here and now.
PipeServer::~PipeServer() { StopNow(); }

PipeServer::Executor::Executor(asio::io_context& io, bool strand) : io_(&io) {
  if (strand) strand_.emplace(asio::make_strand(io));
}

asio::any_io_executor PipeServer::Executor::get() const {
  if (strand_) return *strand_;
  return io_->get_executor();
}

bool PipeServer::Executor::RunningHere() const {
  return strand_ ? strand_->running_in_this_thread() : io_->get_executor().running_in_this_thread();
}

Result<void> PipeServer::SetSecurity(const std::string& sddl) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(Widen(sddl).c_str(), SDDL_REVISION_1,
                                                              &descriptor, nullptr)) {
    return Win32Error("parsing the security descriptor \"" + sddl + "\"");
  }
  UniqueLocalMemory owned{descriptor};
  // One descriptor per pipe: set on the pipe itself, through the listening instance.
  if (listening_) {
    if (Result<void> set = SetSecurityFromSddl(listening_->native_handle(), SE_KERNEL_OBJECT, sddl);
        !set) {
      return set.error().WithContext("setting the security of \\\\.\\pipe\\" + options_.pipe_name);
    }
  }
  security_descriptor_ = std::move(owned);
  security_attributes_.lpSecurityDescriptor = security_descriptor_.get();
  options_.sddl = sddl;
  return Ok();
}

Result<std::unique_ptr<PipeServer>> PipeServer::Start(asio::io_context& io,
                                                      PipeServerOptions options,
                                                      PipeService service,
                                                      std::shared_ptr<spdlog::logger> log) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(
          Widen(options.sddl).c_str(), SDDL_REVISION_1, &descriptor, nullptr)) {
    return Win32Error("parsing the security descriptor \"" + options.sddl + "\"");
  }
  UniqueLocalMemory owned_descriptor{descriptor};
  std::unique_ptr<PipeServer> server(new PipeServer(io, std::move(options), std::move(service),
                                                    std::move(log), std::move(owned_descriptor)));
  // No thread runs the io_context for the server yet.
  if (server->options_.wait_for_name) {
    server->Claim();
    return server;
  }
  Result<UniqueFileHandle> first = server->CreateFirstInstance();
  if (!first) return first.error();
  server->AcceptOn(std::move(*first));
  return server;
}

Result<UniqueFileHandle> PipeServer::CreateFirstInstance() {
  if (std::optional<std::string> holder = PipeHolder(options_.pipe_name)) {
    return Error(ErrorKind::kFailedPrecondition, "another process already serves \\\\.\\pipe\\" +
                                                     options_.pipe_name + ": " + *holder);
  }
  return CreateInstance(/*first=*/true);
}

void PipeServer::Claim() {
  if (stopped_) return;
  Result<UniqueFileHandle> first = CreateFirstInstance();
  if (first) {
    if (name_taken_) {
      log_->info("pipe name free again, served by supd pipe={}", options_.pipe_name);
      name_taken_ = false;
      if (options_.on_name_taken) options_.on_name_taken(std::nullopt);
    }
    claim_retry_ = kFirstClaimRetry;
    AcceptOn(std::move(*first));
    return;
  }
  if (first.error().kind() != ErrorKind::kFailedPrecondition) {
    LogLimited(fmt::format("pipe listen delayed pipe={} reason=\"{}\"", options_.pipe_name,
                           first.error().message()));
  } else if (!name_taken_) {
    name_taken_ = true;
    log_->warn("pipe name taken pipe={} reason=\"{}\" (supd serves it as soon as it is free)",
               options_.pipe_name, first.error().message());
    if (options_.on_name_taken) options_.on_name_taken(first.error().message());
  }
  retry_timer_.expires_after(claim_retry_);
  claim_retry_ = std::min(claim_retry_ * 2, kMaxClaimRetry);
  retry_timer_.async_wait([this](error_code ec) {
    if (!ec) AcceptNext();
  });
}

bool PipeServer::HoldsNoInstance() const {
  return !listening_ &&
         std::none_of(connections_.begin(), connections_.end(),
                      [](const std::weak_ptr<Connection>& c) { return !c.expired(); });
}

Result<UniqueFileHandle> PipeServer::CreateInstance(bool first) {
  // WRITE_DAC, WRITE_OWNER: SetSecurity changes the pipe's descriptor through the listening
  // instance.
  const DWORD open_mode = PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | WRITE_DAC | WRITE_OWNER |
                          (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0);
  const DWORD pipe_mode =
      PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS;
  constexpr DWORD kBufferBytes = 64 * 1024;
  UniqueFileHandle instance{::CreateNamedPipeW(
      path_.c_str(), open_mode, pipe_mode, static_cast<DWORD>(options_.connections.instances),
      kBufferBytes, kBufferBytes, 0, &security_attributes_)};
  if (!instance) {
    const DWORD error = ::GetLastError();
    const std::string pipe = "\\\\.\\pipe\\" + options_.pipe_name;
    // FILE_FLAG_FIRST_PIPE_INSTANCE on a name someone else created between PipeHolder and here
    // (or whose DACL keeps supd out).
    if (first && (error == ERROR_ACCESS_DENIED || error == ERROR_PIPE_BUSY)) {
      return Error(ErrorKind::kFailedPrecondition, "another process already serves " + pipe,
                   std::error_code(static_cast<int>(error), std::system_category()));
    }
    return Win32Error("creating an instance of " + pipe, error);
  }
  return instance;
}

void PipeServer::AcceptOn(UniqueFileHandle instance) {
  // The instance's executor becomes its connection's.
  Executor connection_executor = NewExecutor();
  auto pipe = std::make_shared<asio::windows::stream_handle>(connection_executor.get());
  error_code assign_error;
  pipe->assign(instance.get(), assign_error);  // associates the handle with the io completion port
  if (assign_error) {
    log_->error("pipe instance unusable pipe={} error=\"{}\"", options_.pipe_name,
                Utf8Message(assign_error));
    return;
  }
  instance.release();  // now owned by `pipe`
  listening_ = pipe;

  asio::windows::overlapped_ptr connect(
      io_, asio::bind_executor(executor_.get(),
                               [this, pipe, connection_executor](error_code ec, std::size_t) {
                                 if (listening_ == pipe) listening_.reset();
                                 if (stopped_) return;
                                 if (ec) {
                                   log_->warn("pipe accept failed pipe={} error=\"{}\"",
                                              options_.pipe_name, Utf8Message(ec));
                                 } else {
                                   OnConnected(connection_executor, pipe);
                                 }
                                 AcceptNext();
                               }));
  const BOOL connected = ::ConnectNamedPipe(pipe->native_handle(), connect.get());
  const DWORD error = ::GetLastError();
  if (!connected && error == ERROR_PIPE_CONNECTED) {
    connect.complete(error_code(), 0);  // the client connected between create and connect
  } else if (!connected && error != ERROR_IO_PENDING) {
    connect.complete(error_code(static_cast<int>(error), asio::error::get_system_category()), 0);
  } else {
    connect.release();  // the completion port now owns the operation
  }
}

void PipeServer::OnConnected(Executor connection_executor,
                             std::shared_ptr<asio::windows::stream_handle> pipe) {
  control::ClientAccount account = service_.account(pipe->native_handle());
  control::ConnectionQuota::Decision decision = quota_.Admit(account);
  control::ConnectionQuota::Hold hold;
  std::optional<std::string> refusal;
  if (auto* admitted = std::get_if<control::ConnectionQuota::Admitted>(&decision)) {
    hold = std::move(admitted->hold);
  } else if (auto* refused = std::get_if<control::ConnectionQuota::RefusedWithReply>(&decision)) {
    LogClientProblem(account, "refused", refused->reason);
    hold = std::move(refused->hold);
    refusal = std::move(refused->reason);
  } else {
    LogClientProblem(account, "refused",
                     std::get<control::ConnectionQuota::RefusedSilently>(decision).reason);
    error_code ignored;
    pipe->close(ignored);
    return;
  }
  auto connection =
      std::make_shared<Connection>(std::move(connection_executor), std::move(*pipe), options_, log_,
                                   std::move(account), std::move(hold), std::move(refusal));
  std::erase_if(connections_, [](const std::weak_ptr<Connection>& c) { return c.expired(); });
  connections_.push_back(connection);
  asio::dispatch(connection->executor().get(), [this, connection] { connection->Start(*this); });
}

void PipeServer::LogClientProblem(const control::ClientAccount& account, std::string_view what,
                                  std::string_view reason) {
  LogLimited(fmt::format("pipe client {} pipe={} account={} reason=\"{}\"", what,
                         options_.pipe_name, account.sid.empty() ? "unknown" : account.sid,
                         reason));
}

void PipeServer::LogLimited(const std::string& line) {
  const std::optional<std::uint64_t> held_back =
      client_log_limit_.Allow(asio::steady_timer::clock_type::now());
  if (!held_back) return;
  if (*held_back == 0) {
    log_->info("{}", line);
  } else {
    log_->info("{} ({} more such lines not logged)", line, *held_back);
  }
}

void PipeServer::AcceptNext() {
  if (stopped_) return;
  if (HoldsNoInstance()) {
    Claim();
    return;
  }
  Result<UniqueFileHandle> instance = CreateInstance(/*first=*/false);
  if (instance) {
    AcceptOn(std::move(*instance));
    return;
  }
  // Usually ERROR_PIPE_BUSY: every allowed instance has a client, which is normal under load
  // (info, not a warning for the event log). Listening resumes when a client leaves, or at the
  // retry; clients leave within their request deadline at the latest.
  LogLimited(fmt::format("pipe listen delayed pipe={} reason=\"{}\"", options_.pipe_name,
                         instance.error().message()));
  retry_timer_.expires_after(std::chrono::milliseconds(100));
  retry_timer_.async_wait([this](error_code ec) {
    if (!ec) AcceptNext();
  });
}

void PipeServer::OnConnectionClosed() {
  // A client left, so an instance is free: listen again now rather than at the next retry, or a
  // client arriving in between would find no instance at all and take supd for gone.
  asio::dispatch(executor_.get(), [this] {
    if (stopped_ || listening_) return;
    retry_timer_.cancel();
    AcceptNext();
  });
}

void PipeServer::Stop() {
  asio::dispatch(executor_.get(), [this] { StopNow(); });
}

void PipeServer::StopNow() {
  if (stopped_) return;
  stopped_ = true;
  retry_timer_.cancel();
  if (listening_) {
    error_code ignored;
    listening_->close(ignored);
    listening_.reset();
  }
  for (const std::weak_ptr<Connection>& weak : connections_) {
    if (std::shared_ptr<Connection> connection = weak.lock()) connection->CloseFromAnywhere();
  }
  connections_.clear();
}

}  // namespace sup::win
