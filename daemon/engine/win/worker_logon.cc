#include "daemon/engine/win/worker_logon.h"

#include <ntsecapi.h>
#include <sddl.h>

#include <cstring>

#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::win {
namespace {

// LogonUserExExW as advapi32 exports it (no MinGW header declares it).
using LogonUserExExFunction = BOOL(WINAPI*)(LPWSTR user, LPWSTR domain, LPWSTR password,
                                            DWORD logon_type, DWORD provider, PTOKEN_GROUPS groups,
                                            PHANDLE token, PSID* logon_sid, PVOID* profile,
                                            LPDWORD profile_length, PQUOTA_LIMITS quota);

// An LSA string over `text`, which must outlive it.
LSA_STRING LsaString(const char* text) {
  LSA_STRING string;
  string.Buffer = const_cast<char*>(text);
  string.Length = static_cast<USHORT>(std::strlen(text));
  string.MaximumLength = static_cast<USHORT>(string.Length + 1);
  return string;
}

struct LsaConnectionCloser {
  void operator()(void* lsa) const { ::LsaDeregisterLogonProcess(lsa); }
};

// MSV1_0_S4U_LOGON or KERB_S4U_LOGON: the structure, then its two strings right after it, as
// LsaLogonUser requires.
template <typename S4uLogon>
std::vector<BYTE> S4uLogonBuffer(int message_type, UNICODE_STRING S4uLogon::*first_member,
                                 const std::wstring& first, UNICODE_STRING S4uLogon::*second_member,
                                 const std::wstring& second) {
  std::vector<BYTE> buffer(sizeof(S4uLogon) + (first.size() + second.size()) * sizeof(wchar_t));
  auto* logon = reinterpret_cast<S4uLogon*>(buffer.data());
  logon->MessageType = static_cast<decltype(logon->MessageType)>(message_type);
  auto* text = reinterpret_cast<wchar_t*>(buffer.data() + sizeof(S4uLogon));
  const auto place = [&text](UNICODE_STRING& string, const std::wstring& value) {
    std::memcpy(text, value.data(), value.size() * sizeof(wchar_t));
    string.Buffer = value.empty() ? nullptr : text;
    string.Length = string.MaximumLength = static_cast<USHORT>(value.size() * sizeof(wchar_t));
    text += value.size();
  };
  place(logon->*first_member, first);
  place(logon->*second_member, second);
  return buffer;
}

// An S4U logon (no password), batch, as Task Scheduler's "do not store password": MSV1_0 for an
// account of this computer, Kerberos for a domain account.
Result<UniqueHandle> S4uLogOn(const LogonRequest& request, PTOKEN_GROUPS groups) {
  const std::string who = (request.domain.empty() ? "" : request.domain + "\\") + request.user;
  LSA_STRING process_name = LsaString("sup");
  HANDLE raw = nullptr;
  LSA_OPERATIONAL_MODE mode = 0;
  NTSTATUS status = ::LsaRegisterLogonProcess(&process_name, &raw, &mode);
  if (status != 0) {
    return Win32Error("registering with the LSA to log " + who + " on by s4u",
                      ::LsaNtStatusToWinError(status));
  }
  const std::unique_ptr<void, LsaConnectionCloser> lsa(raw);
  const bool local = request.domain == ".";
  LSA_STRING package_name = LsaString(local ? MSV1_0_PACKAGE_NAME : MICROSOFT_KERBEROS_NAME_A);
  ULONG package = 0;
  status = ::LsaLookupAuthenticationPackage(lsa.get(), &package_name, &package);
  if (status != 0) {
    return Win32Error(std::string("finding the LSA package ") + package_name.Buffer,
                      ::LsaNtStatusToWinError(status));
  }
  std::vector<BYTE> logon;
  if (local) {
    wchar_t computer[MAX_COMPUTERNAME_LENGTH + 1];
    DWORD length = MAX_COMPUTERNAME_LENGTH + 1;
    if (!::GetComputerNameW(computer, &length)) return Win32Error("GetComputerNameW");
    logon = S4uLogonBuffer<MSV1_0_S4U_LOGON>(MsV1_0S4ULogon, &MSV1_0_S4U_LOGON::UserPrincipalName,
                                             Widen(request.user), &MSV1_0_S4U_LOGON::DomainName,
                                             std::wstring(computer, length));
  } else {
    logon = S4uLogonBuffer<KERB_S4U_LOGON>(KerbS4ULogon, &KERB_S4U_LOGON::ClientUpn,
                                           Widen(request.user), &KERB_S4U_LOGON::ClientRealm,
                                           Widen(request.domain));
  }
  TOKEN_SOURCE source{};
  std::memcpy(source.SourceName, "sup", 3);
  ::AllocateLocallyUniqueId(&source.SourceIdentifier);
  LSA_STRING origin = LsaString("sup");
  void* profile = nullptr;
  ULONG profile_bytes = 0;
  LUID logon_id{};
  HANDLE token = nullptr;
  QUOTA_LIMITS quotas{};
  NTSTATUS substatus = 0;
  status = ::LsaLogonUser(lsa.get(), &origin, Batch, package, logon.data(),
                          static_cast<ULONG>(logon.size()), groups, &source, &profile,
                          &profile_bytes, &logon_id, &token, &quotas, &substatus);
  if (profile) ::LsaFreeReturnBuffer(profile);
  if (status != 0) {
    return Win32Error("logging " + who + " on by s4u", ::LsaNtStatusToWinError(status));
  }
  return UniqueHandle{token};
}

class SystemLogon final : public AccountLogon {
 public:
  Result<UniqueHandle> LogOn(const LogonRequest& request) override {
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
    if (request.s4u) return S4uLogOn(request, groups);
    const HMODULE advapi = ::GetModuleHandleW(L"advapi32.dll");
    // Through void*: GetProcAddress's FARPROC is no function type a cast may take directly.
    const FARPROC found = advapi ? ::GetProcAddress(advapi, "LogonUserExExW") : nullptr;
    const auto logon = reinterpret_cast<LogonUserExExFunction>(reinterpret_cast<void*>(found));
    if (!logon) return Win32Error("finding LogonUserExExW in advapi32.dll");
    std::wstring user = Widen(request.user), domain = Widen(request.domain);
    SecretText password = request.password;  // LogonUserExExW takes a mutable string
    HANDLE token = nullptr;
    if (!logon(user.data(), domain.empty() ? nullptr : domain.data(),
               password.empty() ? nullptr : const_cast<wchar_t*>(password.text().c_str()),
               request.logon_type, LOGON32_PROVIDER_DEFAULT, groups, &token, nullptr, nullptr,
               nullptr, nullptr)) {
      return Win32Error("logging on " + (request.domain.empty() ? "" : request.domain + "\\") +
                        request.user);
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
