// The environments workers start with: supd's own (LocalSystem workers), or the one Windows makes
// for a worker's account (its profile's folders, USERPROFILE, APPDATA, ...), each merged with the
// worker's Environment value; and the block CreateProcess takes.
#pragma once

#include <windows.h>

#include <string>
#include <vector>

#include "common/result.h"

namespace sup::win {

// supd's environment, as KEY=VALUE entries.
std::vector<std::string> CurrentEnvironment();
// The environment Windows makes for `token`'s user (CreateEnvironmentBlock, without supd's).
Result<std::vector<std::string>> TokenEnvironment(HANDLE token);
// A CREATE_UNICODE_ENVIRONMENT block: entries separated by NUL, ended by two.
std::wstring EnvironmentBlock(const std::vector<std::string>& entries);

}  // namespace sup::win
