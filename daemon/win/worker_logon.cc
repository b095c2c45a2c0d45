#include "daemon/win/worker_logon.h"

#include <sddl.h>

#include "common/win/win32_error.h"

namespace sup::win {
namespace {

// LogonUserExExW as advapi32 exports it (no MinGW header declares it).
using LogonUserExExFunction = BOOL(WINAPI*)(LPWSTR user, LPWSTR domain, LPWSTR password,
                                            DWORD logon_type, DWORD provider, PTOKEN_GROUPS groups,
                                            PHANDLE token, PSID* logon_sid, PVOID* profile,
                                            LPDWORD profile_length, PQUOTA_LIMITS quota);

class SystemLogon final : public AccountLogon {
 public:
  Result<UniqueHandle> LogOn(const LogonRequest& request) override {
    const HMODULE advapi = ::GetModuleHandleW(L"advapi32.dll");
    // Through void*: GetProcAddress's FARPROC is no function type a cast may take directly.
    const FARPROC found = advapi ? ::GetProcAddress(advapi, "LogonUserExExW") : nullptr;
    const auto logon = reinterpret_cast<LogonUserExExFunction>(reinterpret_cast<void*>(found));
    if (!logon) return Win32Error("finding LogonUserExExW in advapi32.dll");
    std::vector<UniqueLocalMemory> owned;
    std::vector<char> buffer(sizeof(TOKEN_GROUPS) +
                             request.groups.size() * sizeof(SID_AND_ATTRIBUTES));
    auto* groups = reinterpret_cast<TOKEN_GROUPS*>(buffer.data());
    groups->GroupCount = static_cast<DWORD>(request.groups.size());
    for (std::size_t i = 0; i < request.groups.size(); ++i) {
      PSID sid = nullptr;
      if (!::ConvertStringSidToSidW(Widen(request.groups[i].sid).c_str(), &sid))
        return Win32Error("reading the SID " + request.groups[i].sid);
      owned.emplace_back(sid);
      groups->Groups[i] = {sid, request.groups[i].attributes};
    }
    std::wstring user = Widen(request.user), domain = Widen(request.domain);
    HANDLE token = nullptr;
    if (!logon(user.data(), domain.data(), nullptr, request.logon_type, LOGON32_PROVIDER_DEFAULT,
               groups, &token, nullptr, nullptr, nullptr, nullptr)) {
      return Win32Error("logging on " + request.domain + "\\" + request.user);
    }
    return UniqueHandle{token};
  }
};

}  // namespace

std::unique_ptr<AccountLogon> SystemAccountLogon() { return std::make_unique<SystemLogon>(); }

Result<std::string> NewLogonSid() {
  LUID id{};
  if (!::AllocateLocallyUniqueId(&id)) return Win32Error("AllocateLocallyUniqueId");
  return "S-1-5-5-" + std::to_string(static_cast<unsigned long>(id.HighPart)) + "-" +
         std::to_string(static_cast<unsigned long>(id.LowPart));
}

}  // namespace sup::win
