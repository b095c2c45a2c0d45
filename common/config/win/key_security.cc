#include "common/config/win/key_security.h"

#include <aclapi.h>
#include <sddl.h>

#include <algorithm>

#include "common/win/object_security.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::win {
namespace {

constexpr char kSystemSid[] = "S-1-5-18";

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
    for (const std::string& sid : writers)
      names += (names.empty() ? "" : ", ") + win::DescribeAccount(sid);
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

Result<void> SecureConfigKeyIfMissing(const RegistryPath& key,
                                      const std::string& service_account_sid) {
  if (key.root != HKEY_LOCAL_MACHINE) return Ok();
  HKEY raw = nullptr;
  const LSTATUS opened = ::RegOpenKeyExW(key.root, key.subkey.c_str(), 0, KEY_READ, &raw);
  if (opened == ERROR_SUCCESS) {
    ::RegCloseKey(raw);
    return Ok();
  }
  if (opened != ERROR_FILE_NOT_FOUND) return Ok();  // the caller's own open says what is wrong
  return SecureConfigKey(key, ConfigKeySddl(service_account_sid, ""));
}

Result<void> SetKeySecurity(HKEY key, const std::string& sddl) {
  // Our SDDLs name the owner: Wine replaces an owner it is not given.
  return win::SetSecurityFromSddl(reinterpret_cast<HANDLE>(key), SE_REGISTRY_KEY, sddl);
}

std::vector<std::string> ForeignKeyWriters(PSECURITY_DESCRIPTOR descriptor,
                                           const std::vector<std::string>& trusted) {
  return win::ForeignWriters(descriptor, trusted,
                             GENERIC_MAPPING{KEY_READ, KEY_WRITE, KEY_EXECUTE, KEY_ALL_ACCESS},
                             kKeyChangeRights);
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

}  // namespace sup::win
