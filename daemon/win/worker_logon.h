// Logging on the account a worker runs as (Account: LocalService, NetworkService), as a seam:
// supd (it holds SeTcbPrivilege as LocalSystem) calls LogonUserExExW with a service logon and the
// token groups of AccountTokenGroups (its worker SID, LOCAL and a new logon SID). LogonUserExExW
// is looked up when first used: Wine has none (measured, Wine 8.0: advapi32 exports LogonUserW
// only, which returns success with a handle that is not a token), so under Wine only the request,
// recorded by a fake, can be shown.
#pragma once

#include <windows.h>

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/win/unique_handle.h"
#include "common/worker_token_plan.h"

namespace sup::win {

struct LogonRequest {
  std::string user;    // "LocalService"
  std::string domain;  // "NT AUTHORITY"
  DWORD logon_type = LOGON32_LOGON_SERVICE;
  std::vector<TokenGroupSpec> groups;
  bool operator==(const LogonRequest&) const = default;
};

class AccountLogon {
 public:
  virtual ~AccountLogon() = default;
  // A primary token for `request`, or the system's reason it cannot be had.
  virtual Result<UniqueHandle> LogOn(const LogonRequest& request) = 0;
};

// LogonUserExExW.
std::unique_ptr<AccountLogon> SystemAccountLogon();

// A logon SID for one logon: S-1-5-5-X-Y from a locally unique id.
Result<std::string> NewLogonSid();

}  // namespace sup::win
