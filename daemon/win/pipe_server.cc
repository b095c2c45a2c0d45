#include "daemon/win/pipe_server.h"

#include <sddl.h>
#include <spdlog/spdlog.h>

#include <array>

#include "common/win/pipe_client.h"
#include "common/win/win32_error.h"

namespace sup::win {

namespace asio = boost::asio;
using boost::system::error_code;

// One connected client. Owned by the handlers of its pending operations (shared_from_this);
// the server keeps only a weak reference, to disconnect it on Stop.
class PipeServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::windows::stream_handle pipe, const PipeServerOptions& options, FrameHandler& handler,
             std::shared_ptr<spdlog::logger> log)
      : pipe_(std::move(pipe)),
        decoder_(options.max_frame_bytes),
        max_frame_bytes_(options.max_frame_bytes),
        request_deadline_(options.request_deadline),
        deadline_(pipe_.get_executor()),
        handler_(handler),
        log_(std::move(log)) {}

  void Start() {
    ArmDeadline();
    ReadMore();
  }

  void Close() {
    error_code ignored;
    deadline_.cancel();
    pipe_.close(ignored);
  }

 private:
  void ReadMore() {
    pipe_.async_read_some(asio::buffer(buffer_), [self = shared_from_this()](error_code ec, std::size_t n) {
      self->OnRead(ec, n);
    });
  }

  void OnRead(error_code ec, std::size_t n) {
    if (ec) {
      if (decoder_.mid_frame() && ec != asio::error::operation_aborted) {
        log_->debug("pipe client disconnected mid-frame");
      }
      Close();
      return;
    }
    if (Result<void> fed = decoder_.Feed(std::string_view(buffer_.data(), n)); !fed) {
      log_->warn("pipe client dropped reason=\"{}\"", fed.error().message());
      Close();
      return;
    }
    ProcessNext();
  }

  // Answers the next complete request, or reads more when there is none.
  void ProcessNext() {
    std::optional<std::string> payload = decoder_.Pop();
    if (!payload) {
      ReadMore();
      return;
    }
    Result<std::string> reply = handler_(*payload);
    if (!reply) {
      log_->warn("pipe client dropped reason=\"{}\"", reply.error().message());
      Close();
      return;
    }
    Result<std::string> frame = EncodeFrame(*reply, max_frame_bytes_);
    if (!frame) {
      log_->error("reply not sent reason=\"{}\"", frame.error().message());
      Close();
      return;
    }
    outgoing_ = std::move(*frame);
    asio::async_write(pipe_, asio::buffer(outgoing_), [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) {
        self->Close();
        return;
      }
      self->ArmDeadline();
      self->ProcessNext();
    });
  }

  void ArmDeadline() {
    deadline_.expires_after(request_deadline_);
    deadline_.async_wait([weak = weak_from_this()](error_code ec) {
      if (ec) return;  // re-armed or cancelled
      if (std::shared_ptr<Connection> self = weak.lock()) {
        self->log_->info("pipe client dropped reason=\"no complete request within {} ms\"",
                         self->request_deadline_.count());
        self->Close();
      }
    });
  }

  asio::windows::stream_handle pipe_;
  FrameDecoder decoder_;
  std::size_t max_frame_bytes_;
  std::chrono::milliseconds request_deadline_;
  asio::steady_timer deadline_;
  FrameHandler& handler_;  // owned by the server, which outlives every running io handler
  std::shared_ptr<spdlog::logger> log_;
  std::array<char, 64 * 1024> buffer_;
  std::string outgoing_;
};

PipeServer::PipeServer(asio::io_context& io, PipeServerOptions options, FrameHandler handler,
                       std::shared_ptr<spdlog::logger> log, UniqueLocalMemory security_descriptor)
    : io_(io),
      options_(std::move(options)),
      path_(PipePath(options_.pipe_name)),
      handler_(std::move(handler)),
      log_(std::move(log)),
      security_descriptor_(std::move(security_descriptor)),
      retry_timer_(io) {
  security_attributes_.nLength = sizeof(security_attributes_);
  security_attributes_.lpSecurityDescriptor = security_descriptor_.get();
  security_attributes_.bInheritHandle = FALSE;
}

PipeServer::~PipeServer() { Stop(); }

Result<std::unique_ptr<PipeServer>> PipeServer::Start(asio::io_context& io, PipeServerOptions options,
                                                      FrameHandler handler, std::shared_ptr<spdlog::logger> log) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(Widen(options.sddl).c_str(), SDDL_REVISION_1,
                                                              &descriptor, nullptr)) {
    return Win32Error("parsing the security descriptor \"" + options.sddl + "\"");
  }
  UniqueLocalMemory owned_descriptor{descriptor};
  std::unique_ptr<PipeServer> server(
      new PipeServer(io, std::move(options), std::move(handler), std::move(log), std::move(owned_descriptor)));
  Result<UniqueFileHandle> first = server->CreateInstance(/*first=*/true);
  if (!first) return first.error();
  server->AcceptOn(std::move(*first));
  return server;
}

Result<UniqueFileHandle> PipeServer::CreateInstance(bool first) {
  const DWORD open_mode = PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0);
  const DWORD pipe_mode = PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS;
  constexpr DWORD kBufferBytes = 64 * 1024;
  UniqueFileHandle instance{::CreateNamedPipeW(path_.c_str(), open_mode, pipe_mode,
                                               static_cast<DWORD>(options_.max_instances), kBufferBytes,
                                               kBufferBytes, 0, &security_attributes_)};
  if (!instance) {
    const DWORD error = ::GetLastError();
    const std::string pipe = "\\\\.\\pipe\\" + options_.pipe_name;
    if (first && error == ERROR_ACCESS_DENIED) {
      return Error(ErrorKind::kFailedPrecondition, "another process already owns " + pipe,
                   std::error_code(static_cast<int>(error), std::system_category()));
    }
    return Win32Error("creating an instance of " + pipe, error);
  }
  return instance;
}

void PipeServer::AcceptOn(UniqueFileHandle instance) {
  auto pipe = std::make_shared<asio::windows::stream_handle>(io_);
  error_code assign_error;
  pipe->assign(instance.get(), assign_error);  // associates the handle with the io completion port
  if (assign_error) {
    log_->error("pipe instance unusable pipe={} error=\"{}\"", options_.pipe_name, assign_error.message());
    return;
  }
  instance.release();  // now owned by `pipe`
  listening_ = pipe;

  asio::windows::overlapped_ptr connect(io_, [this, pipe](error_code ec, std::size_t) {
    if (listening_ == pipe) listening_.reset();
    if (stopped_) return;
    if (ec) {
      log_->warn("pipe accept failed pipe={} error=\"{}\"", options_.pipe_name, ec.message());
    } else {
      auto connection = std::make_shared<Connection>(std::move(*pipe), options_, handler_, log_);
      std::erase_if(connections_, [](const std::weak_ptr<Connection>& c) { return c.expired(); });
      connections_.push_back(connection);
      connection->Start();
    }
    AcceptNext();
  });
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

void PipeServer::AcceptNext() {
  if (stopped_) return;
  Result<UniqueFileHandle> instance = CreateInstance(/*first=*/false);
  if (instance) {
    AcceptOn(std::move(*instance));
    return;
  }
  // Usually ERROR_PIPE_BUSY: every allowed instance has a client. Try again shortly; the clients
  // leave within their request deadline at the latest.
  log_->warn("pipe listen delayed pipe={} reason=\"{}\"", options_.pipe_name, instance.error().message());
  retry_timer_.expires_after(std::chrono::milliseconds(100));
  retry_timer_.async_wait([this](error_code ec) {
    if (!ec) AcceptNext();
  });
}

void PipeServer::Stop() {
  if (stopped_) return;
  stopped_ = true;
  retry_timer_.cancel();
  if (listening_) {
    error_code ignored;
    listening_->close(ignored);
    listening_.reset();
  }
  for (const std::weak_ptr<Connection>& weak : connections_) {
    if (std::shared_ptr<Connection> connection = weak.lock()) connection->Close();
  }
  connections_.clear();
}

}  // namespace sup::win
