#include "daemon/engine/win/worker_desktop.h"

#include <algorithm>

#include "common/win/object_security.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "common/worker_token_plan.h"

namespace sup::win {

Result<std::unique_ptr<WorkerDesktop>> WorkerDesktop::Create(const std::string& controller_sid) {
  Result<std::string> token = UnguessableToken();
  if (!token) return token.error();
  const std::wstring station_name = Widen("sup-" + *token);
  Result<SecurityAttributes> security =
      SecurityAttributes::FromSddl(WorkerDesktopSddl(controller_sid));
  if (!security) return security.error();
  HWINSTA station =
      ::CreateWindowStationW(station_name.c_str(), 0, WINSTA_ALL_ACCESS, security->get());
  if (!station) return Win32Error("creating the workers' window station");
  const HWINSTA own = ::GetProcessWindowStation();
  if (!::SetProcessWindowStation(station)) {
    const Error error = Win32Error("entering the workers' window station");
    ::CloseWindowStation(station);
    return error;
  }
  HDESK desktop = ::CreateDesktopW(L"default", nullptr, nullptr, 0, GENERIC_ALL, security->get());
  const DWORD create_error = ::GetLastError();
  ::SetProcessWindowStation(own);
  if (!desktop) {
    ::CloseWindowStation(station);
    return Win32Error("creating the workers' desktop", create_error);
  }
  return std::unique_ptr<WorkerDesktop>(
      new WorkerDesktop(station, desktop, station_name + L"\\default", controller_sid));
}

Result<void> WorkerDesktop::Grant(const std::string& worker_sid) {
  // Asked once per SID, whatever the outcome: a failure is said once, not at every start.
  if (std::find(granted_.begin(), granted_.end(), worker_sid) != granted_.end()) return Ok();
  granted_.push_back(worker_sid);
  const std::string sddl = WorkerDesktopSddl(controller_sid_, granted_);
  for (HANDLE object : {static_cast<HANDLE>(station_), static_cast<HANDLE>(desktop_)}) {
    if (Result<void> set = SetSecurityFromSddl(object, SE_WINDOW_OBJECT, sddl); !set)
      return set.error().WithContext("granting the workers' desktop to " + worker_sid);
  }
  return Ok();
}

WorkerDesktop::~WorkerDesktop() {
  ::CloseDesktop(desktop_);
  ::CloseWindowStation(station_);
}

}  // namespace sup::win
