#include "daemon/win/daemon.h"

#include "daemon/win/asio.h"
#include "daemon/win/pipe_server.h"

#include <spdlog/spdlog.h>

#include "common/protocol.h"
#include "common/win/win32_error.h"

namespace sup::win {
namespace {

// SYSTEM and Administrators only, for now; OperatorsGroup joins with per-verb authorisation.
constexpr char kControlPipeSddl[] = "D:P(A;;GA;;;SY)(A;;GA;;;BA)";

}  // namespace

Daemon::Daemon(std::shared_ptr<spdlog::logger> log, UniqueHandle instance_mutex)
    : log_(std::move(log)),
      instance_mutex_(std::move(instance_mutex)),
      io_(std::make_unique<boost::asio::io_context>(1)),
      dispatcher_(clock_, DaemonIdentity{static_cast<std::uint32_t>(::GetCurrentProcessId()), std::string(kSupVersion)}) {}

Daemon::~Daemon() = default;

Result<std::unique_ptr<Daemon>> Daemon::Create(const DaemonOptions& options, std::shared_ptr<spdlog::logger> log) {
  const std::string control_pipe = ControlPipeName(options.pipe_prefix);
  // Global\ so that a console supd and a service supd (session 0) see the same mutex.
  const std::wstring mutex_name = L"Global\\sup-instance-" + Widen(control_pipe);
  UniqueHandle mutex{::CreateMutexW(nullptr, FALSE, mutex_name.c_str())};
  if (!mutex) return Win32Error("creating the instance mutex");
  if (::GetLastError() == ERROR_ALREADY_EXISTS) {
    return Error(ErrorKind::kFailedPrecondition,
                 "another supd is already running with pipe \\\\.\\pipe\\" + control_pipe);
  }

  std::unique_ptr<Daemon> daemon(new Daemon(log, std::move(mutex)));
  PipeServerOptions pipe_options;
  pipe_options.pipe_name = control_pipe;
  pipe_options.sddl = kControlPipeSddl;
  Result<std::unique_ptr<PipeServer>> server = PipeServer::Start(
      *daemon->io_, std::move(pipe_options),
      [dispatcher = &daemon->dispatcher_](std::string_view payload) { return dispatcher->HandleFrame(payload); },
      log);
  if (!server) return server.error().WithContext("listening on the control pipe");
  daemon->control_server_ = std::move(*server);
  log->info("supd listening pipe=\\\\.\\pipe\\{} pid={} version={}", control_pipe, ::GetCurrentProcessId(),
            kSupVersion);
  return daemon;
}

void Daemon::Run() { io_->run(); }

void Daemon::RequestStop() {
  boost::asio::post(*io_, [this] {
    log_->info("supd stopping");
    control_server_->Stop();
  });
}

}  // namespace sup::win
