#include "client/win/logon_right.h"

#include <windows.h>

#include <ntsecapi.h>

#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::client::win {
namespace {

struct LsaHandleTraits {
  using Native = LSA_HANDLE;
  static Native Invalid() { return nullptr; }
  static void Close(Native policy) { ::LsaClose(policy); }
};
using UniqueLsaHandle = sup::win::BasicUniqueHandle<LsaHandleTraits>;

// What the policy editor calls the right.
std::string RightDescription(const std::string& right) {
  if (right == kServiceLogonRight) return "the right to log on as a service";
  if (right == kBatchLogonRight) return "the right to log on as a batch job";
  return right;
}

}  // namespace

Result<void> GrantLogonRight(const std::string& account, const std::string& right) {
  using sup::win::Widen;
  using sup::win::Win32Error;
  BYTE sid[SECURITY_MAX_SID_SIZE];
  DWORD sid_size = sizeof(sid);
  wchar_t domain[256];
  DWORD domain_size = 256;
  SID_NAME_USE use;
  if (!::LookupAccountNameW(nullptr, Widen(account).c_str(), sid, &sid_size, domain, &domain_size,
                            &use)) {
    return Error(ErrorKind::kInvalidArgument, "the account " + account + " does not exist here (" +
                                                  Win32Error("LookupAccountName").message() + ")");
  }
  LSA_OBJECT_ATTRIBUTES attributes{};
  LSA_HANDLE opened = nullptr;
  NTSTATUS status =
      ::LsaOpenPolicy(nullptr, &attributes, POLICY_LOOKUP_NAMES | POLICY_CREATE_ACCOUNT, &opened);
  const UniqueLsaHandle policy{opened};
  if (status != 0)
    return Win32Error("opening the local security policy", ::LsaNtStatusToWinError(status));
  std::wstring right_name = Widen(right);
  LSA_UNICODE_STRING lsa_right{static_cast<USHORT>(right_name.size() * sizeof(wchar_t)),
                               static_cast<USHORT>((right_name.size() + 1) * sizeof(wchar_t)),
                               right_name.data()};
  status = ::LsaAddAccountRights(policy.get(), sid, &lsa_right, 1);
  if (status != 0) {
    return Win32Error("granting " + account + " " + RightDescription(right),
                      ::LsaNtStatusToWinError(status));
  }
  return Ok();
}

}  // namespace sup::client::win
