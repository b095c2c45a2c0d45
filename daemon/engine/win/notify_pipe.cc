#include "daemon/engine/win/notify_pipe.h"

#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <list>
#include <optional>

#include "common/rate_limit.h"
#include "common/win/object_security.h"
#include "common/win/text.h"
#include "common/win/unique_handle.h"
#include "common/win/win32_error.h"

namespace sup::win {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// A worker writes a few short lines; two lines' worth of buffer is plenty.
constexpr DWORD kBufferBytes = 2 * kMaxNotifyLineBytes;

// Whether the client of the connected `pipe` runs in `job`. PROCESS_QUERY_INFORMATION, not the
// limited right Windows also accepts: Wine's IsProcessInJob refuses a handle with only that.
bool ClientInJob(HANDLE pipe, HANDLE job, ULONG& pid) {
  pid = 0;
  if (!::GetNamedPipeClientProcessId(pipe, &pid)) return false;
  const UniqueHandle process{::OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, pid)};
  BOOL inside = FALSE;
  return process && ::IsProcessInJob(process.get(), job, &inside) && inside;
}

}  // namespace

struct NotifyPipe::State : std::enable_shared_from_this<State> {
  struct Connection {
    explicit Connection(asio::windows::stream_handle connected) : pipe(std::move(connected)) {}
    asio::windows::stream_handle pipe;
    std::array<char, 1024> buffer{};
    std::string line;  // received, not yet ended by "\n"
  };

  State(asio::io_context& io, std::shared_ptr<spdlog::logger> log) : io(io), log(std::move(log)) {}

  Result<UniqueFileHandle> CreateInstance(bool first) {
    const DWORD open_mode =
        PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0);
    const DWORD pipe_mode =
        PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS;
    UniqueFileHandle instance{::CreateNamedPipeW(Widen(path).c_str(), open_mode, pipe_mode,
                                                 static_cast<DWORD>(kMaxConnections + 1), 0,
                                                 kBufferBytes, 0, security->get())};
    if (!instance) return Win32Error("creating the notify pipe " + path);
    return instance;
  }

  void AcceptOn(UniqueFileHandle instance) {
    auto pipe = std::make_shared<asio::windows::stream_handle>(io);
    error_code assign_error;
    pipe->assign(instance.get(), assign_error);
    if (assign_error) {
      log->warn("notify pipe unusable name={} error=\"{}\"", worker, Utf8Message(assign_error));
      return;
    }
    instance.release();  // now owned by `pipe`
    listening = pipe;
    asio::windows::overlapped_ptr connect(
        io, [self = shared_from_this(), pipe](error_code ec, std::size_t) {
          if (self->closed) return;
          if (self->listening == pipe) self->listening.reset();
          if (!ec) {
            self->OnConnected(std::move(*pipe));
          } else if (ec.value() != ERROR_NO_DATA) {  // not a client that came and went: stop
            self->log->warn("notify pipe not served further name={} error=\"{}\"", self->worker,
                            Utf8Message(ec));
            return;  // rather than retry at once, forever, on the io thread
          }
          self->AcceptNext();
        });
    const BOOL connected = ::ConnectNamedPipe(pipe->native_handle(), connect.get());
    const DWORD error = ::GetLastError();
    if (!connected && error == ERROR_PIPE_CONNECTED) {
      connect.complete(error_code(), 0);  // the client came before this call (or before Begin)
    } else if (!connected && error != ERROR_IO_PENDING) {
      connect.complete(error_code(static_cast<int>(error), asio::error::get_system_category()), 0);
    } else {
      connect.release();  // the completion port now owns the operation
    }
  }

  // One instance waits for the next client, unless kMaxConnections are served already: then the
  // next one is made when a connection ends.
  void AcceptNext() {
    if (closed || listening || connections.size() >= kMaxConnections) return;
    Result<UniqueFileHandle> instance = CreateInstance(/*first=*/false);
    if (!instance) {
      log->warn("notify pipe not served further name={} error=\"{}\"", worker,
                instance.error().message());
      return;
    }
    AcceptOn(std::move(*instance));
  }

  void OnConnected(asio::windows::stream_handle pipe) {
    ULONG pid = 0;
    if (!ClientInJob(pipe.native_handle(), job, pid)) {
      Refuse("a process outside the worker's job (pid " + std::to_string(pid) + ")");
      return;
    }
    connections.push_back(std::make_unique<Connection>(std::move(pipe)));
    Read(std::prev(connections.end()));
  }

  using ConnectionIt = std::list<std::unique_ptr<Connection>>::iterator;

  void Read(ConnectionIt it) {
    Connection& connection = **it;
    connection.pipe.async_read_some(
        asio::buffer(connection.buffer),
        [self = shared_from_this(), it](error_code ec, std::size_t bytes) {
          if (self->closed) return;
          if (ec) return self->End(it, /*read_last_line=*/true);
          Connection& c = **it;
          c.line.append(c.buffer.data(), bytes);
          if (!self->TakeLines(c)) return self->End(it, /*read_last_line=*/false);
          if (!self->closed) self->Read(it);
        });
  }

  // Hands on every whole line received; false once the connection must close (a line that is
  // not a message, or one too long).
  bool TakeLines(Connection& c) {
    for (std::size_t end; (end = c.line.find('\n')) != std::string::npos;) {
      std::string line = c.line.substr(0, end);
      c.line.erase(0, end + 1);
      if (!Take(line)) return false;
    }
    if (c.line.size() > kMaxNotifyLineBytes) {
      Refuse("a line of more than " + std::to_string(kMaxNotifyLineBytes) + " bytes");
      return false;
    }
    return true;
  }

  bool Take(std::string line) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    Result<NotifyMessage> message = ParseNotifyLine(line);
    if (!message) {
      Refuse(message.error().message());
      return false;
    }
    on_message(std::move(*message));
    return true;
  }

  // The client closed (or broke) its end: a last line without "\n" counts, as sd_notify clients
  // send one message without one.
  void End(ConnectionIt it, bool read_last_line) {
    if (read_last_line && !(*it)->line.empty()) Take(std::move((*it)->line));
    if (closed) return;  // Take may have ended the launcher's interest: nothing more
    connections.erase(it);
    AcceptNext();
  }

  void Refuse(const std::string& why) {
    ++refused;
    if (const std::optional<std::uint64_t> held_back =
            log_limit.Allow(std::chrono::steady_clock::now())) {
      log->warn("notify message refused name={} reason=\"{}\"{}", worker, why,
                *held_back ? " (" + std::to_string(*held_back) + " more not logged)" : "");
    }
  }

  void Close() {
    closed = true;
    error_code ignored;
    if (listening) listening->close(ignored);
    for (auto& connection : connections) connection->pipe.close(ignored);
  }

  asio::io_context& io;
  std::shared_ptr<spdlog::logger> log;
  std::string path;
  std::optional<SecurityAttributes> security;
  UniqueFileHandle first;  // the instance made before the process starts, served from Begin
  HANDLE job = nullptr;
  std::string worker;
  OnMessage on_message;
  bool closed = false;
  std::shared_ptr<asio::windows::stream_handle> listening;
  std::list<std::unique_ptr<Connection>> connections;
  std::uint64_t refused = 0;
  RateLimit log_limit{5, std::chrono::minutes(1)};
};

Result<std::unique_ptr<NotifyPipe>> NotifyPipe::Create(asio::io_context& io,
                                                       const std::string& writer_sid,
                                                       std::shared_ptr<spdlog::logger> log) {
  auto state = std::make_shared<State>(io, std::move(log));
  Result<std::string> token = UnguessableToken();
  if (!token) return token.error();
  state->path = "\\\\.\\pipe\\sup-notify-" + *token;
  std::string sddl = AdministratorsAndSelfSddl();
  if (!writer_sid.empty()) sddl += "(A;;FRFW;;;" + writer_sid + ")";
  Result<SecurityAttributes> security = SecurityAttributes::FromSddl(sddl);
  if (!security) return security.error();
  state->security = std::move(*security);
  Result<UniqueFileHandle> first = state->CreateInstance(/*first=*/true);
  if (!first) return first.error();
  state->first = std::move(*first);
  return std::unique_ptr<NotifyPipe>(new NotifyPipe(std::move(state)));
}

NotifyPipe::~NotifyPipe() { state_->Close(); }

const std::string& NotifyPipe::path() const { return state_->path; }

std::uint64_t NotifyPipe::refused() const { return state_->refused; }

void NotifyPipe::Begin(HANDLE job, std::string worker, OnMessage on_message) {
  state_->job = job;
  state_->worker = std::move(worker);
  state_->on_message = std::move(on_message);
  if (state_->first) state_->AcceptOn(std::move(state_->first));
}

}  // namespace sup::win
