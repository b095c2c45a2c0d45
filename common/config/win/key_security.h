// Who may change supd's configuration key (README "Security"): whoever can write it runs code as
// supd's account (SYSTEM by default), and worker Environment values may hold secrets. So the key
// is for SYSTEM, Administrators and supd's own account; the operators group may read it; nobody
// else may even read it. `supctl service install` sets that; supd warns when it finds anyone
// else able to write the key or any key below it.
#pragma once

#include <windows.h>

#include <string>
#include <vector>

#include "common/config/win/registry_config.h"
#include "common/result.h"

namespace sup::win {

// SDDL of the configuration key: protected (nothing inherited from SOFTWARE, where every user may
// read), inherited by every key below it. `service_account_sid`: supd's own account when not
// SYSTEM (it writes <key>\State), or "". `operators_sid`: may read, or "".
std::string ConfigKeySddl(const std::string& service_account_sid, const std::string& operators_sid);

// Gives the open `key` (WRITE_DAC | WRITE_OWNER) the owner and DACL of `sddl`, protected if the
// SDDL says so ("D:P"). Inheritable entries pass on to the keys below.
Result<void> SetKeySecurity(HKEY key, const std::string& sddl);

// Creates `key` if it is missing and gives it (and, through inheritance, every key below it)
// the descriptor `sddl`.
Result<void> SecureConfigKey(const RegistryPath& key, const std::string& sddl);

// The same, only when `key` is under HKLM and missing (nothing configured yet): made for SYSTEM,
// Administrators and `service_account_sid` (supd's own account, or ""), instead of with what
// SOFTWARE passes on (every user may read it). An existing key is left as it is (supd warns about
// one others may write; `service install` sets it). supctl before its first write, supd before it
// creates <key>\State.
Result<void> SecureConfigKeyIfMissing(const RegistryPath& key,
                                      const std::string& service_account_sid);

// win::ForeignWriters of a key: who, besides SYSTEM, Administrators, TrustedInstaller and the SIDs
// in `trusted` (supd's own account), may set values, create subkeys, delete, or change the
// descriptor or owner (generic rights mapped the registry's way).
std::vector<std::string> ForeignKeyWriters(PSECURITY_DESCRIPTOR descriptor,
                                           const std::vector<std::string>& trusted);

// Every key at or below `key` (but <key>\State, where supd writes) that someone else may change:
// "HKLM\SOFTWARE\Sup\Workers\api: BUILTIN\Users (S-1-5-32-545)". Empty when all is well, and
// when the key does not exist (nothing configured yet).
Result<std::vector<std::string>> ForeignConfigKeyWriters(const RegistryPath& key,
                                                         const std::vector<std::string>& trusted);

}  // namespace sup::win
