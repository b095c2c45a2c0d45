// Checks for the files supd writes as SYSTEM in folders it does not own (a custom log path, the
// metrics file in windows_exporter's folder): whoever can put a link on the way decides where
// SYSTEM writes, renames and deletes. A link in the file's own place is refused where the file is
// opened (FILE_FLAG_OPEN_REPARSE_POINT); these catch the folders above it.
#pragma once

#include <windows.h>

#include <optional>
#include <string>

#include "common/result.h"

namespace sup::win {

// Where the open `file` really is, when that is not `path` (ignoring case, short names and the
// "\\?\" prefix): some folder on the way is a link. nullopt when they agree, or when either
// cannot be told.
std::optional<std::wstring> OpenedElsewhere(HANDLE file, const std::wstring& path);

// The attributes of the file or folder open as `handle` (opened with FILE_FLAG_OPEN_REPARSE_POINT)
// at `path`, FILE_ATTRIBUTE_REPARSE_POINT included when either the handle or the path says it is a
// link: Wine 8 reports a link's reparse attribute by path only, never by handle. 0 if unreadable.
DWORD LinkAwareAttributes(HANDLE handle, const std::wstring& path);

// Refuses `folder` when it, or any folder above it up to its drive's root, is a junction or
// symbolic link (kFailedPrecondition, naming it). Folders not made yet are passed over (the
// first one that exists above them is checked).
Result<void> RefuseLinkedFolders(const std::wstring& folder);

// Deletes `path` and everything inside it without ever following a link: a junction or symbolic
// link found inside is removed itself, never what it points to (std::filesystem::remove_all
// follows a directory junction under MinGW, and would delete the target's files as SYSTEM). A
// `path` that is itself a link is refused. A path that does not exist is not an error.
Result<void> DeleteTreeWithoutFollowingLinks(const std::wstring& path);

}  // namespace sup::win
