#include "common/win/token_info.h"

#include <sddl.h>

#include "common/win/object_security.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::win {
namespace {

// One TOKEN_INFORMATION_CLASS's bytes, sized by asking first.
Result<std::vector<char>> TokenBytes(HANDLE token, TOKEN_INFORMATION_CLASS what, const char* name) {
  DWORD size = 0;
  ::GetTokenInformation(token, what, nullptr, 0, &size);
  std::vector<char> bytes(size + sizeof(void*));
  if (size == 0 ||
      !::GetTokenInformation(token, what, bytes.data(), static_cast<DWORD>(bytes.size()), &size)) {
    return Win32Error(std::string("reading the token's ") + name);
  }
  return bytes;
}

}  // namespace

Result<std::vector<TokenGroup>> TokenGroupsOf(HANDLE token) {
  Result<std::vector<char>> bytes = TokenBytes(token, TokenGroups, "groups");
  if (!bytes) return bytes.error();
  const auto* groups = reinterpret_cast<const TOKEN_GROUPS*>(bytes->data());
  std::vector<TokenGroup> out;
  for (DWORD i = 0; i < groups->GroupCount; ++i)
    out.push_back({SidString(groups->Groups[i].Sid), groups->Groups[i].Attributes});
  return out;
}

Result<std::vector<std::string>> TokenPrivilegeNames(HANDLE token) {
  Result<std::vector<char>> bytes = TokenBytes(token, TokenPrivileges, "privileges");
  if (!bytes) return bytes.error();
  const auto* privileges = reinterpret_cast<const TOKEN_PRIVILEGES*>(bytes->data());
  std::vector<std::string> names;
  for (DWORD i = 0; i < privileges->PrivilegeCount; ++i) {
    LUID luid = privileges->Privileges[i].Luid;
    wchar_t name[128];
    DWORD length = 128;
    if (::LookupPrivilegeNameW(nullptr, &luid, name, &length)) names.push_back(Narrow(name));
  }
  return names;
}

Result<std::string> TokenDefaultDaclSddl(HANDLE token) {
  Result<std::vector<char>> bytes = TokenBytes(token, TokenDefaultDacl, "default DACL");
  if (!bytes) return bytes.error();
  const auto* dacl = reinterpret_cast<const TOKEN_DEFAULT_DACL*>(bytes->data());
  SECURITY_DESCRIPTOR descriptor;
  ::InitializeSecurityDescriptor(&descriptor, SECURITY_DESCRIPTOR_REVISION);
  ::SetSecurityDescriptorDacl(&descriptor, TRUE, dacl->DefaultDacl, FALSE);
  wchar_t* sddl = nullptr;
  if (!::ConvertSecurityDescriptorToStringSecurityDescriptorW(
          &descriptor, SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &sddl, nullptr)) {
    return Win32Error("writing the token's default DACL as SDDL");
  }
  const UniqueLocalMemory owned{sddl};
  return Narrow(sddl);
}

}  // namespace sup::win
