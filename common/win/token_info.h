// What a token holds, read back in portable terms: its groups with their attributes, its
// privileges by name, its default DACL in SDDL. supd reads its own token to derive the workers'
// from it; tests read the tokens supd made.
#pragma once

#include <windows.h>

#include <string>
#include <vector>

#include "common/result.h"

namespace sup::win {

struct TokenGroup {
  std::string sid;       // "S-1-5-32-544"
  DWORD attributes = 0;  // SE_GROUP_*
  bool deny_only() const { return (attributes & SE_GROUP_USE_FOR_DENY_ONLY) != 0; }
  bool logon_id() const { return (attributes & SE_GROUP_LOGON_ID) == SE_GROUP_LOGON_ID; }
};

// The token's groups (TOKEN_QUERY).
Result<std::vector<TokenGroup>> TokenGroupsOf(HANDLE token);
// The names of the token's privileges, enabled or not ("SeDebugPrivilege").
Result<std::vector<std::string>> TokenPrivilegeNames(HANDLE token);
// The token's default DACL as SDDL ("D:(A;;GA;;;SY)...").
Result<std::string> TokenDefaultDaclSddl(HANDLE token);

}  // namespace sup::win
