#include "daemon/win/console_control.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/win/win32_error.h"
#include "daemon/win/exception_barrier.h"

namespace sup::win {
namespace {

// supd must survive the Ctrl+C it generates for a worker's console. NSSM does that with
// SetConsoleCtrlHandler(nullptr, TRUE), but "ignore Ctrl+C" is inherited by child processes, so
// every worker started afterwards would ignore Ctrl+C. A registered handler is not inherited:
// it swallows Ctrl+C only while one of ours is in flight (and otherwise lets it through, so
// `supd --console` still stops on Ctrl+C).
std::atomic<std::int64_t> g_swallow_ctrl_c_until_ms{0};

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

BOOL WINAPI SwallowOwnCtrlC(DWORD type) {
  return type == CTRL_C_EVENT && NowMs() < g_swallow_ctrl_c_until_ms.load();
}

// Ctrl+C to the console of `pid`, with NSSM's sequence (measured to reach the worker under Wine):
// leave our console, attach to the worker's, send the event to the console's process group 0,
// detach. Console attachment is per process, so these run one at a time.
std::mutex g_console_mutex;

void SendCtrlC(DWORD pid, std::shared_ptr<spdlog::logger> log) {
  std::lock_guard lock(g_console_mutex);
  static std::once_flag registered;
  // Registered at the first send, after any console-mode handler: handlers run last-registered
  // first, so ours decides before supd's own Ctrl+C handling.
  std::call_once(registered, [] { ::SetConsoleCtrlHandler(SwallowOwnCtrlC, TRUE); });
  ::FreeConsole();
  if (!::AttachConsole(pid)) {
    log->warn("ctrl-c not sent pid={} reason=\"AttachConsole: {}\"", pid,
              Win32ErrorText(::GetLastError()));
    return;
  }
  g_swallow_ctrl_c_until_ms = NowMs() + 5000;
  if (!::GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0)) {
    log->warn("ctrl-c not sent pid={} reason=\"GenerateConsoleCtrlEvent: {}\"", pid,
              Win32ErrorText(::GetLastError()));
  }
  ::FreeConsole();
}

}  // namespace

void SendCtrlCInBackground(DWORD pid, std::shared_ptr<spdlog::logger> log) {
  std::thread([pid, log = std::move(log)] {
    RunOrEndSupd("the Ctrl+C thread", *log, [&] { SendCtrlC(pid, log); });
  }).detach();
}

}  // namespace sup::win
