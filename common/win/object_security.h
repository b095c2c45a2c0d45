// Kernel objects nobody else can take first: unguessable names, and explicit security
// descriptors. supd runs as SYSTEM, so any local user is a potential attacker; a name one can
// predict (a pid, a worker name, a counter) can be created before supd creates it, with the
// attacker's own security, to block, blind or mislead supd.
#pragma once

#include <windows.h>

#include <aclapi.h>

#include <string>
#include <vector>

#include "common/result.h"
#include "common/win/unique_handle.h"

namespace sup::win {

// 32 hex digits from the system's cryptographic random source (BCryptGenRandom): a name part
// nobody can guess.
Result<std::string> UnguessableToken();

// The user `process` runs as, as a SID string ("S-1-5-18" for SYSTEM); "" if its token cannot
// be read.
std::string ProcessUserSid(HANDLE process);
// The user SID of a token (TOKEN_QUERY), "" if it cannot be read.
std::string TokenUserSid(HANDLE token);
// DOMAIN\\user of a token's user, for logs; "" if it cannot be looked up.
std::string TokenUserName(HANDLE token);
// "S-1-5-32-545"; "" if it cannot be converted.
std::string SidString(PSID sid);
// "BUILTIN\\Users" ("Everyone" when there is no domain); "" if it has no name here.
std::string AccountName(PSID sid);
// The same for this process.
std::string OwnUserSid();
// The SID of an account or group: "S-1-5-32-547" as it is, a name ("SupOperators",
// "DOMAIN\\Ops", "NT AUTHORITY\\LocalService") looked up, a virtual account ("NT SERVICE\\supd")
// derived from its service's name. An unknown name is an error naming it.
Result<std::string> AccountSid(const std::string& account);

// "BUILTIN\\Users (S-1-5-32-545)" for a SID string, or the SID alone when it has no name here.
std::string DescribeAccount(const std::string& sid);

// Who, besides SYSTEM, Administrators, TrustedInstaller and the SIDs in `trusted`, may change an
// object whose owner and DACL are `descriptor`: those with an allow entry holding one of
// `change_rights` once generic rights are mapped with `mapping` (entries that only pass on to
// children are left for the children), and an owner outside those (an owner may always change
// the DACL). A missing DACL lets everyone ("S-1-1-0"). SIDs as strings, in the descriptor's order.
std::vector<std::string> ForeignWriters(PSECURITY_DESCRIPTOR descriptor,
                                        const std::vector<std::string>& trusted,
                                        const GENERIC_MAPPING& mapping, ACCESS_MASK change_rights);

// The rights that change a file or what it holds: write and append its data, delete it, change its
// DACL or owner.
inline constexpr ACCESS_MASK kFileChangeRights =
    FILE_WRITE_DATA | FILE_APPEND_DATA | DELETE | WRITE_DAC | WRITE_OWNER;
// The same for a folder: create files or folders in it, delete what is inside, delete it, change
// its DACL or owner.
inline constexpr ACCESS_MASK kFolderChangeRights =
    FILE_ADD_FILE | FILE_ADD_SUBDIRECTORY | FILE_DELETE_CHILD | DELETE | WRITE_DAC | WRITE_OWNER;
inline constexpr GENERIC_MAPPING kFileGenericMapping{FILE_GENERIC_READ, FILE_GENERIC_WRITE,
                                                     FILE_GENERIC_EXECUTE, FILE_ALL_ACCESS};

// ForeignWriters of an open file or folder (opened with READ_CONTROL), as
// "BUILTIN\Users (S-1-5-32-545)"; kFolderChangeRights for a folder.
Result<std::vector<std::string>> ForeignFileWriters(HANDLE file,
                                                    const std::vector<std::string>& trusted,
                                                    ACCESS_MASK change_rights = kFileChangeRights);

// SDDL of a DACL that grants SYSTEM, Administrators and the user this process runs as (the
// account supd runs as, and its workers with it) full access, and nobody else anything.
std::string AdministratorsAndSelfSddl();

// Gives an open object (`type`: SE_KERNEL_OBJECT for a pipe, SE_REGISTRY_KEY for a key; the handle
// opened with WRITE_DAC, and WRITE_OWNER if the SDDL names an owner) the owner and DACL of `sddl`,
// the DACL protected if the SDDL says so ("D:P"). Inheritable entries pass on to the children.
Result<void> SetSecurityFromSddl(HANDLE object, SE_OBJECT_TYPE type, const std::string& sddl);

// A kernel object and the name it was created under.
struct NamedHandle {
  std::string name;
  UniqueHandle handle;
};

// A new manual-reset, unsignalled event named `name`, which only SYSTEM, Administrators and this
// process's user may open. An object that already has the name is an error, never reused:
// someone created it first (perhaps signalled, perhaps with a DACL of their own).
// `waiter_sid`, if given, may wait on it too (a worker that runs as another account: its worker
// SID).
Result<UniqueHandle> CreateExclusiveEvent(const std::string& name,
                                          const std::string& waiter_sid = "");
// The same, named `prefix` + UnguessableToken() ("Local\\sup-stop-<token>").
Result<NamedHandle> CreateUnguessableEvent(const std::string& prefix,
                                           const std::string& waiter_sid = "");

// A security descriptor built from SDDL, with SECURITY_ATTRIBUTES pointing at it (not
// inheritable) for the Create* calls.
class SecurityAttributes {
 public:
  static Result<SecurityAttributes> FromSddl(const std::string& sddl);
  SECURITY_ATTRIBUTES* get() { return &attributes_; }
  PSECURITY_DESCRIPTOR descriptor() const { return descriptor_.get(); }

 private:
  explicit SecurityAttributes(UniqueLocalMemory descriptor);
  UniqueLocalMemory descriptor_;
  SECURITY_ATTRIBUTES attributes_{};
};

}  // namespace sup::win
