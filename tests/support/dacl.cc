#include "dacl.h"

#include <aclapi.h>
#include <sddl.h>

#include "common/win/pipe_client.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"

namespace sup::testing {

AccessEntries DaclEntries(PSECURITY_DESCRIPTOR descriptor) {
  BOOL present = FALSE, defaulted = FALSE;
  PACL dacl = nullptr;
  AccessEntries entries;
  if (!::GetSecurityDescriptorDacl(descriptor, &present, &dacl, &defaulted) || !present || !dacl)
    return entries;
  GENERIC_MAPPING mapping{FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE,
                          FILE_ALL_ACCESS};
  for (DWORD i = 0; i < dacl->AceCount; ++i) {
    void* ace = nullptr;
    if (!::GetAce(dacl, i, &ace)) continue;
    auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
    LPWSTR sid = nullptr;
    ::ConvertSidToStringSidW(reinterpret_cast<PSID>(&allowed->SidStart), &sid);
    win::UniqueLocalMemory owned_sid{sid};
    ACCESS_MASK mask = allowed->Mask;
    ::MapGenericMask(&mask, &mapping);
    // An allow entry is its SID; any other kind says so, so that a deny never reads as an allow.
    const BYTE type = allowed->Header.AceType;
    const std::string kind = type == ACCESS_ALLOWED_ACE_TYPE ? ""
                             : type == ACCESS_DENIED_ACE_TYPE
                                 ? "deny "
                                 : "type " + std::to_string(type) + " ";
    entries.emplace_back(kind + (sid ? win::Narrow(sid) : "?"), mask);
  }
  return entries;
}

AccessEntries SddlDacl(const std::string& sddl) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(
          win::Widen(sddl).c_str(), SDDL_REVISION_1, &descriptor, nullptr)) {
    return {};
  }
  win::UniqueLocalMemory owned{descriptor};
  return DaclEntries(descriptor);
}

AccessEntries HandleDacl(HANDLE handle) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (::GetSecurityInfo(handle, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr,
                        nullptr, nullptr, &descriptor) != ERROR_SUCCESS) {
    return {{"GetSecurityInfo failed", 0}};
  }
  win::UniqueLocalMemory owned{descriptor};
  return DaclEntries(descriptor);
}

AccessEntries FileDacl(const std::string& path) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  std::wstring wide = win::Widen(path);
  if (::GetNamedSecurityInfoW(wide.data(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                              nullptr, nullptr, nullptr, &descriptor) != ERROR_SUCCESS) {
    return {{"GetNamedSecurityInfoW failed", 0}};
  }
  win::UniqueLocalMemory owned{descriptor};
  return DaclEntries(descriptor);
}

AccessEntries PipeDacl(const std::string& pipe_name) {
  win::UniqueFileHandle pipe{::CreateFileW(win::PipePath(pipe_name).c_str(), READ_CONTROL, 0,
                                           nullptr, OPEN_EXISTING, 0, nullptr)};
  if (!pipe) return {{"cannot open the pipe", ::GetLastError()}};
  return HandleDacl(pipe.get());
}

}  // namespace sup::testing
