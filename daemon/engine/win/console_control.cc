#include "daemon/engine/win/console_control.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/win/unique_handle.h"
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
constexpr int kAttachTries = 3;
constexpr std::chrono::milliseconds kAttachRetry{50};

constexpr std::chrono::milliseconds kConsoleSettleTime{1000};

// Waits until `pid` has run for kConsoleSettleTime (at once for an older one, or one that
// cannot be opened: it is gone, or the attach below says why).
void WaitUntilSettled(DWORD pid) {
  const UniqueHandle process{::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid)};
  FILETIME created{}, exited{}, kernel{}, user{}, now{};
  if (!process || !::GetProcessTimes(process.get(), &created, &exited, &kernel, &user)) return;
  ::GetSystemTimeAsFileTime(&now);
  const auto ticks = [](const FILETIME& time) {  // 100 ns
    return (static_cast<std::int64_t>(time.dwHighDateTime) << 32) | time.dwLowDateTime;
  };
  const std::chrono::milliseconds age((ticks(now) - ticks(created)) / 10'000);
  if (age < kConsoleSettleTime) std::this_thread::sleep_for(kConsoleSettleTime - age);
}

// Whether the Ctrl+C was sent (false: the console could not be attached).
bool SendCtrlC(DWORD pid, std::shared_ptr<spdlog::logger> log) {
  WaitUntilSettled(pid);
  std::lock_guard lock(g_console_mutex);
  static std::once_flag registered;
  // Registered at the first send, after any console-mode handler: handlers run last-registered
  // first, so ours decides before supd's own Ctrl+C handling.
  std::call_once(registered, [] { ::SetConsoleCtrlHandler(SwallowOwnCtrlC, TRUE); });
  ::FreeConsole();
  // Under Wine, AttachConsole to a worker that has its console now and then fails with
  // ERROR_INVALID_HANDLE ("no console"; about 1 worker in 500 when 30 are stopped together,
  // StopStressE2eTest), and 20 tries over a second all failed alike: tried a few times (other
  // sends wait meanwhile), then the caller moves the ladder on. A process that is gone
  // (ERROR_INVALID_PARAMETER) is not tried again.
  int tries = 1;
  while (!::AttachConsole(pid)) {
    const DWORD error = ::GetLastError();
    if (error == ERROR_INVALID_PARAMETER || tries == kAttachTries) {
      log->warn(
          "ctrl-c not sent pid={} tries={} reason=\"AttachConsole: {}\" (the next stop step "
          "follows now)",
          pid, tries, Win32ErrorText(error));
      return false;
    }
    ++tries;
    std::this_thread::sleep_for(kAttachRetry);
  }
  if (tries > 1) log->info("ctrl-c console attached pid={} tries={}", pid, tries);
  g_swallow_ctrl_c_until_ms = NowMs() + 5000;
  if (!::GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0)) {
    log->warn("ctrl-c not sent pid={} reason=\"GenerateConsoleCtrlEvent: {}\"", pid,
              Win32ErrorText(::GetLastError()));
    ::FreeConsole();
    return false;
  }
  ::FreeConsole();
  return true;
}

}  // namespace

void SendCtrlCInBackground(DWORD pid, std::shared_ptr<spdlog::logger> log,
                           std::function<void()> undelivered) {
  std::thread([pid, log = std::move(log), undelivered = std::move(undelivered)] {
    RunOrEndSupd("the Ctrl+C thread", *log, [&] {
      if (!SendCtrlC(pid, log) && undelivered) undelivered();
    });
  }).detach();
}

}  // namespace sup::win
