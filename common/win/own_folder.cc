#include "common/win/own_folder.h"

#include <windows.h>

#include <aclapi.h>
#include <knownfolders.h>
#include <shlobj.h>
#include <sddl.h>

#include <filesystem>

#include "common/win/object_security.h"
#include "common/win/safe_paths.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::win {
namespace {

// The folder as found: refused when it is a link or someone else's; when others may write it,
// refused or given `sddl` again (`on_writers`).
Result<std::optional<std::string>> CheckExisting(const std::string& path, const std::string& sddl,
                                                 ForeignWriterAction on_writers,
                                                 const std::vector<std::string>& writers) {
  const std::wstring wide = Widen(path);
  // FILE_FLAG_OPEN_REPARSE_POINT: the link itself, not where it points.
  const DWORD access = READ_CONTROL | FILE_READ_ATTRIBUTES |
                       (on_writers == ForeignWriterAction::kRepair ? WRITE_DAC : 0);
  const UniqueFileHandle folder{::CreateFileW(
      wide.c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
      OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, nullptr)};
  if (!folder) return Win32Error("opening the folder " + path);
  const DWORD attributes = LinkAwareAttributes(folder.get(), wide);
  if (attributes == 0) return Win32Error("reading the attributes of " + path);
  PSID owner = nullptr;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (const DWORD error = ::GetSecurityInfo(folder.get(), SE_FILE_OBJECT,
                                            OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                            &owner, nullptr, nullptr, nullptr, &descriptor);
      error != ERROR_SUCCESS) {
    return Win32Error("reading the owner of " + path, error);
  }
  const UniqueLocalMemory owned{descriptor};
  const std::string self = OwnUserSid();
  if (std::optional<std::string> problem =
          ForeignFolderProblem(path, attributes, SidString(owner), self)) {
    return Error(ErrorKind::kFailedPrecondition, *problem);
  }
  std::vector<std::string> trusted = writers;
  trusted.push_back(self);
  const std::vector<std::string> foreign =
      ForeignWriters(descriptor, trusted, kFileGenericMapping, kFolderChangeRights);
  if (foreign.empty()) return std::optional<std::string>();
  std::string names;
  for (const std::string& sid : foreign)
    names += (names.empty() ? "" : ", ") + DescribeAccount(sid);
  if (on_writers == ForeignWriterAction::kRefuse) {
    return Error(ErrorKind::kFailedPrecondition,
                 path + " may be changed by " + names +
                     ": whoever may could change what supd writes there as SYSTEM (let only "
                     "SYSTEM and Administrators write it, or choose another folder)");
  }
  if (Result<void> repaired = SetSecurityFromSddl(folder.get(), SE_FILE_OBJECT, sddl); !repaired)
    return repaired.error().WithContext(path + " may be changed by " + names);
  return std::optional<std::string>(path + " could be changed by " + names +
                                    ": its permissions were set again to supd's");
}

}  // namespace

std::optional<std::string> ForeignFolderProblem(const std::string& path, DWORD attributes,
                                                const std::string& owner, const std::string& self) {
  const std::string fix = " (remove it; supd creates the folder itself)";
  if (attributes & FILE_ATTRIBUTE_REPARSE_POINT)
    return path + " is a junction or symbolic link: supd does not write through links" + fix;
  if (!(attributes & FILE_ATTRIBUTE_DIRECTORY)) return path + " is a file, not a folder" + fix;
  if (owner == "S-1-5-18" || owner == "S-1-5-32-544" || (!owner.empty() && owner == self))
    return std::nullopt;
  return path + " is owned by " + (owner.empty() ? std::string("an unknown account") : owner) +
         ", not by SYSTEM or Administrators: someone else created it, and could change what "
         "supd writes there" +
         fix;
}

Result<std::optional<std::string>> EnsureOwnFolder(const std::string& path, const std::string& sddl,
                                                   ForeignWriterAction on_writers,
                                                   const std::vector<std::string>& writers) {
  const std::filesystem::path folder(Widen(path));
  // A missing parent is made the same way (%ProgramData%\Sup before %ProgramData%\Sup\logs), so
  // it does not inherit what %ProgramData% lets every user do; an existing one is left as it is.
  if (folder.has_parent_path() && folder.parent_path() != folder &&
      ::GetFileAttributesW(folder.parent_path().c_str()) == INVALID_FILE_ATTRIBUTES) {
    if (Result<std::optional<std::string>> parent =
            EnsureOwnFolder(Narrow(folder.parent_path().wstring()), sddl, on_writers);
        !parent) {
      return parent;
    }
  }
  Result<SecurityAttributes> security = SecurityAttributes::FromSddl(sddl);
  if (!security) return security.error();
  if (::CreateDirectoryW(folder.c_str(), security->get())) return std::optional<std::string>();
  const DWORD error = ::GetLastError();
  if (error != ERROR_ALREADY_EXISTS) return Win32Error("creating the folder " + path, error);
  return CheckExisting(path, sddl, on_writers, writers);
}

Result<std::string> SupDataFolder() {
  PWSTR program_data = nullptr;
  if (const HRESULT result =
          ::SHGetKnownFolderPath(FOLDERID_ProgramData, KF_FLAG_DEFAULT, nullptr, &program_data);
      FAILED(result)) {
    ::CoTaskMemFree(program_data);
    return Error(ErrorKind::kUnavailable,
                 "finding the ProgramData folder: " + Win32ErrorText(static_cast<DWORD>(result)));
  }
  std::string folder = Narrow(program_data) + "\\Sup";
  ::CoTaskMemFree(program_data);
  return folder;
}

Result<std::string> EnsureSupDataFolder(const std::string& supd_sid,
                                        std::vector<std::string>* repaired) {
  Result<std::string> root = SupDataFolder();
  if (!root) return root.error();
  for (const std::string& folder : {*root, InstanceLockFolder(*root)}) {
    if (Result<std::optional<std::string>> own =
            EnsureOwnFolder(folder, OwnFolderSddl("", supd_sid), ForeignWriterAction::kRepair);
        !own) {
      return own.error().WithContext("supd's folder");
    } else if (*own && repaired) {
      repaired->push_back(**own);
    }
  }
  return root;
}

std::string InstanceLockFolder(const std::string& data_folder) { return data_folder + "\\state"; }

std::string InstanceLockPath(const std::string& data_folder, const std::string& control_pipe) {
  return InstanceLockFolder(data_folder) + "\\" + control_pipe + ".lock";
}

}  // namespace sup::win
