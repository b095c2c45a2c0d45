#include "daemon/win/instance_lock.h"

#include <charconv>
#include <optional>
#include <thread>
#include <vector>

#include "common/win/own_folder.h"
#include "common/win/object_security.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::win {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kRetryPeriod{250};
constexpr milliseconds kWaitingReportPeriod{1000};

std::string StoppingPath(const std::string& lock_path) { return lock_path + ".stopping"; }

// The lock, or the error that says who holds it.
Result<UniqueFileHandle> TryLock(const std::string& path) {
  UniqueFileHandle lock{::CreateFileW(
      Widen(path).c_str(), GENERIC_READ | GENERIC_WRITE | DELETE, /*share=*/0, nullptr, OPEN_ALWAYS,
      FILE_ATTRIBUTE_NORMAL | FILE_FLAG_DELETE_ON_CLOSE | FILE_FLAG_OPEN_REPARSE_POINT, nullptr)};
  if (lock) return lock;
  return Win32Error("creating the instance lock " + path, ::GetLastError());
}

// The two errors a lock another supd holds gives.
bool HeldByAnother(const Error& error) {
  const int code = error.code().value();
  return code == ERROR_SHARING_VIOLATION || code == ERROR_ACCESS_DENIED;
}

// The holder's "until" (GetTickCount64 of the moment its stop budget ends), if it is stopping.
std::optional<std::uint64_t> StoppingUntil(const std::string& lock_path) {
  UniqueFileHandle marker{
      ::CreateFileW(Widen(StoppingPath(lock_path)).c_str(), GENERIC_READ,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                    FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr)};
  if (!marker) return std::nullopt;
  char text[64] = {};
  DWORD read = 0;
  if (!::ReadFile(marker.get(), text, sizeof(text) - 1, &read, nullptr)) return std::nullopt;
  // "stopping pid=1234 until=5678901"
  const std::string_view content(text, read);
  const std::size_t at = content.find("until=");
  if (at == std::string_view::npos) return std::nullopt;
  std::uint64_t until = 0;
  const std::string_view digits = content.substr(at + 6);
  if (std::from_chars(digits.data(), digits.data() + digits.size(), until).ec != std::errc())
    return std::nullopt;
  return until;
}

}  // namespace

Result<InstanceLock> InstanceLock::Acquire(const std::string& control_pipe, spdlog::logger& log,
                                           const Waiting& waiting) {
  std::vector<std::string> repaired;
  Result<std::string> root = EnsureSupDataFolder(OwnUserSid(), &repaired);
  if (!root) return root.error();
  for (const std::string& line : repaired) log.warn("supd's folder repaired: {}", line);
  const std::string path = InstanceLockPath(*root, control_pipe);
  const auto held = [&] {
    return Error(ErrorKind::kFailedPrecondition,
                 "another supd is already running with pipe \\\\.\\pipe\\" + control_pipe +
                     " (it holds " + path + ")");
  };
  bool said = false;
  std::uint64_t last_report = 0;
  while (true) {
    Result<UniqueFileHandle> lock = TryLock(path);
    if (lock) {
      if (said) log.info("the stopping supd has ended; starting");
      return InstanceLock(path, std::move(*lock));
    }
    if (!HeldByAnother(lock.error())) return lock.error();
    const std::optional<std::uint64_t> until = StoppingUntil(path);
    if (!until) {
      // The holder may have ended between the two looks (it lets go of its lock first): once
      // more, then it is running, not stopping, and this one is not needed.
      if (Result<UniqueFileHandle> again = TryLock(path))
        return InstanceLock(path, std::move(*again));
      return held();
    }
    const std::uint64_t now = ::GetTickCount64();
    if (now >= *until) {
      return Error(ErrorKind::kFailedPrecondition,
                   "another supd with pipe \\\\.\\pipe\\" + control_pipe +
                       " is still stopping past its stop budget (it holds " + path + ")");
    }
    if (!said) {
      log.info("another supd with pipe \\\\.\\pipe\\{} is stopping; waiting up to {} s for it",
               control_pipe, (*until - now + 999) / 1000);
      said = true;
    }
    if (now - last_report >= static_cast<std::uint64_t>(kWaitingReportPeriod.count())) {
      waiting(milliseconds(*until - now));
      last_report = now;
    }
    std::this_thread::sleep_for(kRetryPeriod);
  }
}

Result<void> InstanceLock::MarkStopping(milliseconds budget) {
  if (!lock_ || stopping_) return Ok();
  UniqueFileHandle marker{::CreateFileW(
      Widen(StoppingPath(path_)).c_str(), GENERIC_WRITE | DELETE,
      FILE_SHARE_READ | FILE_SHARE_DELETE, nullptr, CREATE_ALWAYS,
      FILE_ATTRIBUTE_NORMAL | FILE_FLAG_DELETE_ON_CLOSE | FILE_FLAG_OPEN_REPARSE_POINT, nullptr)};
  if (!marker) return Win32Error("creating " + StoppingPath(path_), ::GetLastError());
  const std::string text = "stopping pid=" + std::to_string(::GetCurrentProcessId()) +
                           " until=" + std::to_string(::GetTickCount64() + budget.count());
  DWORD written = 0;
  if (!::WriteFile(marker.get(), text.data(), static_cast<DWORD>(text.size()), &written, nullptr))
    return Win32Error("writing " + StoppingPath(path_), ::GetLastError());
  stopping_ = std::move(marker);
  return Ok();
}

}  // namespace sup::win
