#include "common/config/win/key_security.h"

#include <aclapi.h>
#include <sddl.h>

#include <algorithm>

#include "common/win/object_security.h"
#include "common/win/unique_handle.h"
#include "common/win/win32_error.h"

namespace sup::config {
namespace {

constexpr char kSystemSid[] = "S-1-5-18";
constexpr char kAdministratorsSid[] = "S-1-5-32-544";

// "BUILTIN\Users (S-1-5-32-545)", or the SID alone when it has no name here.
std::string AccountName(const std::string& sid_text) {
  PSID sid = nullptr;
  if (!::ConvertStringSidToSidW(win::Widen(sid_text).c_str(), &sid)) return sid_text;
  const win::UniqueLocalMemory owned{sid};
  const std::string account = win::AccountName(sid);
  return account.empty() ? sid_text : account + " (" + sid_text + ")";
}

// The rights that change a key or what it holds.
constexpr ACCESS_MASK kKeyChangeRights =
    KEY_SET_VALUE | KEY_CREATE_SUB_KEY | KEY_CREATE_LINK | DELETE | WRITE_DAC | WRITE_OWNER;

void WalkKeys(HKEY key, const std::string& display, const std::vector<std::string>& trusted,
              std::vector<std::string>& problems) {
  DWORD size = 0;
  constexpr SECURITY_INFORMATION kWhat = OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;
  ::RegGetKeySecurity(key, kWhat, nullptr, &size);
  std::vector<BYTE> descriptor(size);
  if (size == 0 || ::RegGetKeySecurity(key, kWhat, descriptor.data(), &size) != ERROR_SUCCESS) {
    problems.push_back(display + ": its permissions cannot be read");
    return;
  }
  std::vector<std::string> writers = ForeignKeyWriters(descriptor.data(), trusted);
  if (!writers.empty()) {
    std::string names;
    for (const std::string& sid : writers) names += (names.empty() ? "" : ", ") + AccountName(sid);
    problems.push_back(display + ": " + names);
  }
  for (DWORD index = 0;; ++index) {
    wchar_t name[256];
    DWORD name_size = 256;
    if (::RegEnumKeyExW(key, index, name, &name_size, nullptr, nullptr, nullptr, nullptr) !=
        ERROR_SUCCESS) {
      break;
    }
    HKEY raw = nullptr;
    if (::RegOpenKeyExW(key, name, 0, READ_CONTROL | KEY_ENUMERATE_SUB_KEYS, &raw) !=
        ERROR_SUCCESS) {
      problems.push_back(display + "\\" + win::Narrow(name) + ": cannot be opened to check it");
      continue;
    }
    const win::UniqueRegistryKey child{raw};
    WalkKeys(child.get(), display + "\\" + win::Narrow(name), trusted, problems);
  }
}

}  // namespace

std::string ConfigKeySddl(const std::string& service_account_sid,
                          const std::string& operators_sid) {
  // Owned by Administrators (an owner may always change the DACL); OICI: every key created below
  // inherits these entries; "P": nothing from SOFTWARE.
  std::string sddl = "O:BAD:P(A;OICI;KA;;;SY)(A;OICI;KA;;;BA)";
  if (!service_account_sid.empty() && service_account_sid != kSystemSid)
    sddl += "(A;OICI;KA;;;" + service_account_sid + ")";
  if (!operators_sid.empty()) sddl += "(A;OICI;KR;;;" + operators_sid + ")";
  return sddl;
}

Result<void> SecureConfigKey(const RegistryPath& key, const std::string& sddl) {
  Result<win::SecurityAttributes> security = win::SecurityAttributes::FromSddl(sddl);
  if (!security) return security.error();
  HKEY raw = nullptr;
  const LSTATUS created =
      ::RegCreateKeyExW(key.root, key.subkey.c_str(), 0, nullptr, 0,
                        KEY_READ | WRITE_DAC | WRITE_OWNER, security->get(), &raw, nullptr);
  if (created != ERROR_SUCCESS) {
    return win::Win32Error("creating the configuration key " + key.display,
                           static_cast<DWORD>(created));
  }
  const win::UniqueRegistryKey opened{raw};
  // A key that existed kept its old descriptor (and Wine ignores the one given at creation).
  if (Result<void> set = SetKeySecurity(opened.get(), sddl); !set)
    return set.error().WithContext("setting the permissions of " + key.display);
  return Ok();
}

Result<void> SetKeySecurity(HKEY key, const std::string& sddl) {
  // Our SDDLs name the owner: Wine replaces an owner it is not given.
  return win::SetSecurityFromSddl(reinterpret_cast<HANDLE>(key), SE_REGISTRY_KEY, sddl);
}

std::vector<std::string> ForeignKeyWriters(PSECURITY_DESCRIPTOR descriptor,
                                           const std::vector<std::string>& trusted) {
  const auto is_trusted = [&](const std::string& sid) {
    return sid == kSystemSid || sid == kAdministratorsSid ||
           std::find(trusted.begin(), trusted.end(), sid) != trusted.end();
  };
  std::vector<std::string> writers;
  const auto add = [&](const std::string& sid) {
    if (!is_trusted(sid) && std::find(writers.begin(), writers.end(), sid) == writers.end())
      writers.push_back(sid);
  };
  PSID owner = nullptr;
  BOOL owner_defaulted = FALSE;
  if (::GetSecurityDescriptorOwner(descriptor, &owner, &owner_defaulted) && owner)
    add(win::SidString(owner));
  BOOL present = FALSE, defaulted = FALSE;
  PACL dacl = nullptr;
  if (!::GetSecurityDescriptorDacl(descriptor, &present, &dacl, &defaulted) || !present || !dacl) {
    add("S-1-1-0");  // no DACL: everyone may do everything
    return writers;
  }
  GENERIC_MAPPING mapping{KEY_READ, KEY_WRITE, KEY_EXECUTE, KEY_ALL_ACCESS};
  for (DWORD index = 0; index < dacl->AceCount; ++index) {
    void* raw = nullptr;
    if (!::GetAce(dacl, index, &raw)) continue;
    const auto* header = static_cast<ACE_HEADER*>(raw);
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE || (header->AceFlags & INHERIT_ONLY_ACE))
      continue;
    const auto* ace = static_cast<ACCESS_ALLOWED_ACE*>(raw);
    ACCESS_MASK mask = ace->Mask;
    ::MapGenericMask(&mask, &mapping);
    if (mask & kKeyChangeRights) add(win::SidString(const_cast<DWORD*>(&ace->SidStart)));
  }
  return writers;
}

Result<std::vector<std::string>> ForeignConfigKeyWriters(const RegistryPath& key,
                                                         const std::vector<std::string>& trusted) {
  HKEY raw = nullptr;
  const LSTATUS opened =
      ::RegOpenKeyExW(key.root, key.subkey.c_str(), 0, READ_CONTROL | KEY_ENUMERATE_SUB_KEYS, &raw);
  // A key that does not exist (sup installed, nothing configured yet) has nobody to warn about.
  if (opened == ERROR_FILE_NOT_FOUND) return std::vector<std::string>{};
  if (opened != ERROR_SUCCESS) {
    return win::Win32Error("opening " + key.display + " to check who may change it",
                           static_cast<DWORD>(opened));
  }
  const win::UniqueRegistryKey root{raw};
  std::vector<std::string> problems;
  WalkKeys(root.get(), key.display, trusted, problems);
  return problems;
}

}  // namespace sup::config
