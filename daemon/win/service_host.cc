#include "daemon/win/service_host.h"

#include <windows.h>

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>

#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "daemon/win/exception_barrier.h"
#include "daemon/win/logging.h"

namespace sup::win {
namespace {

// User-defined service controls (128-255), sent with `sc control supd 128`.
constexpr DWORD kControlReload = 128;
constexpr DWORD kControlReopenLogs = 129;

// What ServiceMain and the control handler share. The SCM's callbacks carry no context for
// ServiceMain, so this one instance is reached through a global, set before the dispatcher starts.
class ServiceState {
 public:
  ServiceState(DaemonFactory factory, std::shared_ptr<spdlog::logger> log)
      : factory_(std::move(factory)), log_(std::move(log)) {}

  void Main(DWORD argc, LPWSTR* argv);
  spdlog::logger& log() { return *log_; }
  // SERVICE_STOPPED with kUnexpectedExceptionExitCode, for the exception barrier.
  void ReportUnexpectedExit() { Report(SERVICE_STOPPED, kUnexpectedExceptionExitCode); }

  DWORD HandleControl(DWORD control) {
    switch (control) {
      case SERVICE_CONTROL_STOP:
      case SERVICE_CONTROL_SHUTDOWN:
      case SERVICE_CONTROL_PRESHUTDOWN: {
        log_->info("service control received control={}", control);
        Report(SERVICE_STOP_PENDING, NO_ERROR, 30'000);
        std::lock_guard lock(mutex_);
        if (daemon_) daemon_->RequestStop();
        return NO_ERROR;
      }
      case SERVICE_CONTROL_PARAMCHANGE:
      case kControlReload: {
        std::lock_guard lock(mutex_);
        if (daemon_) daemon_->RequestReload();
        return NO_ERROR;
      }
      case kControlReopenLogs: {
        std::lock_guard lock(mutex_);
        if (daemon_) daemon_->RequestReopenLogs();
        return NO_ERROR;
      }
      case SERVICE_CONTROL_INTERROGATE: return NO_ERROR;
      default: return ERROR_CALL_NOT_IMPLEMENTED;
    }
  }

 private:
  // SetServiceStatus may be called from the handler thread and ServiceMain's thread: serialised.
  void Report(DWORD state, DWORD exit_code = NO_ERROR, DWORD wait_hint_ms = 0) {
    std::lock_guard lock(status_mutex_);
    SERVICE_STATUS status{};
    status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    status.dwCurrentState = state;
    status.dwControlsAccepted = state == SERVICE_RUNNING
                                    ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN |
                                          SERVICE_ACCEPT_PRESHUTDOWN | SERVICE_ACCEPT_PARAMCHANGE
                                    : 0;
    if (exit_code != NO_ERROR) {
      status.dwWin32ExitCode = ERROR_SERVICE_SPECIFIC_ERROR;
      status.dwServiceSpecificExitCode = exit_code;
    }
    const bool pending = state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING;
    status.dwCheckPoint = pending ? ++checkpoint_ : 0;
    status.dwWaitHint = wait_hint_ms;
    if (!::SetServiceStatus(status_handle_, &status)) {
      log_->error("SetServiceStatus failed state={} error=\"{}\"", state,
                  Win32ErrorText(::GetLastError()));
    }
  }

  DaemonFactory factory_;
  std::shared_ptr<spdlog::logger> log_;
  SERVICE_STATUS_HANDLE status_handle_ = nullptr;
  std::mutex status_mutex_;
  DWORD checkpoint_ = 0;
  std::mutex mutex_;  // guards daemon_ between ServiceMain and the handler
  std::unique_ptr<Daemon> daemon_;
};

ServiceState* g_service = nullptr;

DWORD WINAPI ServiceControlHandler(DWORD control, DWORD, LPVOID, LPVOID context) {
  auto* service = static_cast<ServiceState*>(context);
  DWORD result = NO_ERROR;
  RunOrEndSupd(
      "the service control handler", service->log(),
      [&] { result = service->HandleControl(control); },
      [service] { service->ReportUnexpectedExit(); });
  return result;
}

void WINAPI ServiceMainEntry(DWORD argc, LPWSTR* argv) {
  RunOrEndSupd(
      "ServiceMain", g_service->log(), [&] { g_service->Main(argc, argv); },
      [] { g_service->ReportUnexpectedExit(); });
}

// Exit code in dwServiceSpecificExitCode when the daemon cannot start (see the supd log).
constexpr DWORD kStartFailedExitCode = 1;
// How long the SCM should wait for the next checkpoint of a start.
constexpr DWORD kStartWaitHintMs = 10'000;

void ServiceState::Main(DWORD argc, LPWSTR* argv) {
  const std::wstring name = argc > 0 && argv[0] ? argv[0] : L"supd";
  status_handle_ = ::RegisterServiceCtrlHandlerExW(name.c_str(), ServiceControlHandler, this);
  if (!status_handle_) {
    log_->error("RegisterServiceCtrlHandlerExW failed error=\"{}\"",
                Win32ErrorText(::GetLastError()));
    return;
  }
  Report(SERVICE_START_PENDING, NO_ERROR, kStartWaitHintMs);
  // Each phase of the start advances the checkpoint, so the SCM sees progress on a slow start
  // (a large configuration, a slow registry) and never gives up on a healthy one.
  Result<std::unique_ptr<Daemon>> daemon = factory_([this](const char* phase) {
    log_->debug("service starting phase=\"{}\"", phase);
    Report(SERVICE_START_PENDING, NO_ERROR, kStartWaitHintMs);
  });
  if (!daemon) {
    log_->error("supd failed to start service={} reason=\"{}\"", Narrow(name),
                daemon.error().message());
    CloseDaemonLogFile(*log_);
    Report(SERVICE_STOPPED, kStartFailedExitCode);
    return;
  }
  (*daemon)->SetStopProgress([this] { Report(SERVICE_STOP_PENDING, NO_ERROR, 10'000); });
  // SelfRestart: SERVICE_STOPPED with a service-specific error is a failure the SCM's actions
  // answer (the failure-actions flag covers exits that are not crashes), then the process ends.
  (*daemon)->SetEndSupd([this](unsigned exit_code) {
    Report(SERVICE_STOPPED, exit_code);
    std::_Exit(static_cast<int>(exit_code));
  });
  {
    std::lock_guard lock(mutex_);
    daemon_ = std::move(*daemon);
  }
  Report(SERVICE_RUNNING);
  log_->info("service running service={}", Narrow(name));
  daemon_->Run();  // this thread is now the io thread, until the stop completes
  // Progress until the very end: the daemon's teardown (closing jobs, logs, pipes) comes next.
  Report(SERVICE_STOP_PENDING, NO_ERROR, 10'000);
  {
    std::lock_guard lock(mutex_);
    daemon_.reset();
  }
  log_->info("service stopped service={}", Narrow(name));
  // Nothing of supd's stays open once the SCM says it stopped (the process lives on a moment).
  CloseDaemonLogFile(*log_);
  Report(SERVICE_STOPPED);
}

std::atomic<Daemon*> g_console_daemon{nullptr};

BOOL WINAPI ConsoleControlHandler(DWORD) {
  // Runs on a thread the system creates for the event: only posts the stop to the io thread.
  if (Daemon* daemon = g_console_daemon.load()) daemon->RequestStop();
  return TRUE;
}

}  // namespace

Result<HostOutcome> RunAsService(DaemonFactory factory, std::shared_ptr<spdlog::logger> log) {
  ServiceState state(std::move(factory), std::move(log));
  g_service = &state;
  // For SERVICE_WIN32_OWN_PROCESS the name in the table is ignored; ServiceMain gets the real one.
  wchar_t empty_name[] = L"";
  const SERVICE_TABLE_ENTRYW table[] = {{empty_name, ServiceMainEntry}, {nullptr, nullptr}};
  const BOOL dispatched = ::StartServiceCtrlDispatcherW(table);
  const DWORD error = ::GetLastError();
  g_service = nullptr;
  if (dispatched) return HostOutcome::kRanAsService;
  if (error == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) return HostOutcome::kNotAService;
  return Win32Error("connecting to the service control manager", error);
}

int RunInConsole(DaemonFactory factory, std::shared_ptr<spdlog::logger> log) {
  Result<std::unique_ptr<Daemon>> daemon = factory([](const char*) {});
  if (!daemon) {
    log->error("supd failed to start reason=\"{}\"", daemon.error().message());
    return 1;
  }
  g_console_daemon = daemon->get();
  ::SetConsoleCtrlHandler(ConsoleControlHandler, TRUE);
  log->info("supd running in the console; Ctrl+C stops it");
  RunOrEndSupd("the io loop", *log, [&] { (*daemon)->Run(); });
  ::SetConsoleCtrlHandler(ConsoleControlHandler, FALSE);
  g_console_daemon = nullptr;
  log->info("supd stopped");
  return 0;
}

}  // namespace sup::win
