// Folders that are supd's own (its state; later its logs): created with an explicit DACL, and
// refused when someone else got there first. supd writes, renames and deletes files in them as
// SYSTEM, so a folder a standard user created (they may create folders in %ProgramData%) or a
// junction in its place would let that user choose where SYSTEM writes.
#pragma once

#include <windows.h>

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace sup::win {

// SYSTEM and Administrators full control, inherited by what is created inside; nothing inherited
// from the parent ("P": %ProgramData% lets every user create files and folders).
inline constexpr char kOwnFolderSddl[] = "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";

// The same, and supd's own account (`supd_sid`, when it is not SYSTEM: NetworkService, a virtual
// account) full control too, and `reader_sid` (the operators group) may read what is inside; none
// if "".
inline std::string OwnFolderSddl(const std::string& reader_sid, const std::string& supd_sid = "") {
  std::string sddl = kOwnFolderSddl;
  if (!supd_sid.empty() && supd_sid != "S-1-5-18") sddl += "(A;OICI;FA;;;" + supd_sid + ")";
  if (!reader_sid.empty()) sddl += "(A;OICI;FR;;;" + reader_sid + ")";
  return sddl;
}

// What EnsureOwnFolder does with an existing folder that someone besides SYSTEM, Administrators
// and supd's own account may write (create files in, delete from, change the DACL of): refuse it
// (a folder supd writes in but does not own: a worker's log folder, the metrics file's), or give
// it `sddl` again (supd's own folders, which nobody else should have changed).
enum class ForeignWriterAction { kRefuse, kRepair };

// Creates `path` (UTF-8, %VARIABLES% expanded by the caller) with `sddl` if it does not exist;
// if it does, it must be a real folder (not a junction or symbolic link) owned by SYSTEM,
// Administrators or the user this process runs as, that nobody else may write (`on_writers`).
// Missing parents are made the same way; existing parents are not checked (a chain of supd's own
// folders is ensured one by one). `writers`: SIDs `sddl` lets write besides SYSTEM,
// Administrators and supd (a worker's own folder's worker SID), which are no foreign writers.
// Returns a line saying what was repaired, if anything.
Result<std::optional<std::string>> EnsureOwnFolder(
    const std::string& path, const std::string& sddl = kOwnFolderSddl,
    ForeignWriterAction on_writers = ForeignWriterAction::kRefuse,
    const std::vector<std::string>& writers = {});

// supd's folder in ProgramData ("C:\\ProgramData\\Sup": its state, and its logs by default),
// from the known folder, not %ProgramData%: a service, a console supd and supctl must agree on it
// whatever their environments say (under Wine, a service's %ProgramData% is C:\\users\\Public).
Result<std::string> SupDataFolder();

// SupDataFolder and its state folder, made with kOwnFolderSddl if missing, refused as
// EnsureOwnFolder refuses if someone else made them, given kOwnFolderSddl again if others may
// write them (a line for each in `repaired`). supd does it at start; `supctl service install` and
// `prepare` (the MSI) do it first, as SYSTEM or an administrator, so that no user can create the
// folder before supd's first start, and one that did is named at install. Returns it.
// `supd_sid`: the account supd runs as (its own SID in supd; the service's account in `supctl
// service install` and `prepare`), which must create its instance lock there.
Result<std::string> EnsureSupDataFolder(const std::string& supd_sid,
                                        std::vector<std::string>* repaired = nullptr);

// Where each running supd holds its instance lock: <SupDataFolder>\state\<control pipe>.lock,
// open without sharing and deleted when closed, so the file exists exactly while that supd runs.
std::string InstanceLockFolder(const std::string& data_folder);
std::string InstanceLockPath(const std::string& data_folder, const std::string& control_pipe);

// Why a folder found at `path` is not to be used as supd's own, or nullopt: `attributes` as the
// file system reports them (FILE_ATTRIBUTE_*), `owner` its owner's SID string, `self` the SID
// string of the user supd runs as.
std::optional<std::string> ForeignFolderProblem(const std::string& path, DWORD attributes,
                                                const std::string& owner, const std::string& self);

}  // namespace sup::win
