#include "common/win/safe_paths.h"

#include <filesystem>
#include <optional>

#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::win {

std::optional<std::wstring> OpenedElsewhere(HANDLE file, const std::wstring& path) {
  std::wstring final_path(32768, L'\0');
  DWORD length =
      ::GetFinalPathNameByHandleW(file, final_path.data(), static_cast<DWORD>(final_path.size()),
                                  FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
  if (length == 0 || length >= final_path.size()) return std::nullopt;
  final_path.resize(length);
  if (final_path.starts_with(L"\\\\?\\UNC\\")) {
    final_path = L"\\\\" + final_path.substr(8);
  } else if (final_path.starts_with(L"\\\\?\\")) {
    final_path = final_path.substr(4);
  }
  std::wstring expected(32768, L'\0');
  length = ::GetFullPathNameW(path.c_str(), static_cast<DWORD>(expected.size()), expected.data(),
                              nullptr);
  if (length == 0 || length >= expected.size()) return std::nullopt;
  expected.resize(length);
  std::wstring long_path(32768, L'\0');
  length =
      ::GetLongPathNameW(expected.c_str(), long_path.data(), static_cast<DWORD>(long_path.size()));
  if (length > 0 && length < long_path.size()) expected.assign(long_path.data(), length);
  if (::CompareStringOrdinal(final_path.c_str(), static_cast<int>(final_path.size()),
                             expected.c_str(), static_cast<int>(expected.size()),
                             TRUE) == CSTR_EQUAL) {
    return std::nullopt;
  }
  return final_path;
}

DWORD LinkAwareAttributes(HANDLE handle, const std::wstring& path) {
  BY_HANDLE_FILE_INFORMATION info{};
  if (!::GetFileInformationByHandle(handle, &info)) return 0;
  const DWORD by_path = ::GetFileAttributesW(path.c_str());
  if (by_path != INVALID_FILE_ATTRIBUTES && (by_path & FILE_ATTRIBUTE_REPARSE_POINT))
    info.dwFileAttributes |= FILE_ATTRIBUTE_REPARSE_POINT;
  return info.dwFileAttributes;
}

Result<void> RefuseLinkedFolders(const std::wstring& folder) {
  std::filesystem::path at = std::filesystem::path(folder).lexically_normal();
  for (;;) {
    // FILE_FLAG_OPEN_REPARSE_POINT: the link itself, not where it points.
    const UniqueFileHandle handle{::CreateFileW(
        at.c_str(), FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
        nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT,
        nullptr)};
    const DWORD error = handle ? ERROR_SUCCESS : ::GetLastError();
    if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) {
      // Not made yet: whoever makes it makes it in the folder above, checked next.
      const std::filesystem::path parent = at.parent_path();
      if (parent == at || parent.empty()) return Ok();
      at = parent;
      continue;
    }
    if (!handle) return Win32Error("opening the folder " + Narrow(at.wstring()), error);
    const DWORD attributes = LinkAwareAttributes(handle.get(), at.wstring());
    if (attributes == 0) return Win32Error("reading the attributes of " + Narrow(at.wstring()));
    if (attributes & FILE_ATTRIBUTE_REPARSE_POINT) {
      return Error(ErrorKind::kFailedPrecondition,
                   Narrow(at.wstring()) +
                       " is a junction or symbolic link: supd does not write through links");
    }
    if (!(attributes & FILE_ATTRIBUTE_DIRECTORY)) {
      return Error(ErrorKind::kFailedPrecondition, Narrow(at.wstring()) + " is not a folder");
    }
    const std::filesystem::path parent = at.parent_path();
    if (parent == at || parent.empty() || at == at.root_path()) return Ok();
    at = parent;
  }
}

namespace {

// Deletes what is inside `folder` (a real folder), then the folder. What cannot be deleted is
// left, the rest goes on; the first failure is the result.
Result<void> DeleteFolder(const std::wstring& folder) {
  std::optional<Error> first_failure;
  const auto failed = [&](Error error) {
    if (!first_failure) first_failure = std::move(error);
  };
  WIN32_FIND_DATAW found{};
  const std::wstring pattern = folder + L"\\*";
  HANDLE raw = ::FindFirstFileExW(pattern.c_str(), FindExInfoBasic, &found, FindExSearchNameMatch,
                                  nullptr, 0);
  if (raw == INVALID_HANDLE_VALUE) {
    const DWORD error = ::GetLastError();
    if (error != ERROR_FILE_NOT_FOUND) return Win32Error("listing " + Narrow(folder), error);
  } else {
    const UniqueFindHandle search{raw};
    do {
      const std::wstring name = found.cFileName;
      if (name == L"." || name == L"..") continue;
      const std::wstring child = folder + L"\\" + name;
      // The attributes by path too: Wine reports a link's reparse attribute only that way.
      DWORD attributes = found.dwFileAttributes;
      const DWORD by_path = ::GetFileAttributesW(child.c_str());
      if (by_path != INVALID_FILE_ATTRIBUTES) attributes |= by_path & FILE_ATTRIBUTE_REPARSE_POINT;
      const bool directory = attributes & FILE_ATTRIBUTE_DIRECTORY;
      if (attributes & FILE_ATTRIBUTE_REPARSE_POINT) {
        // The link itself: a directory link is removed as a folder, its target untouched. (Wine
        // 8 cannot remove a link to a folder at all: it is left, and said.)
        if (!(directory ? ::RemoveDirectoryW(child.c_str()) : ::DeleteFileW(child.c_str())))
          failed(Win32Error("removing the link " + Narrow(child)));
      } else if (directory) {
        if (Result<void> deleted = DeleteFolder(child); !deleted) failed(deleted.error());
      } else if (!::DeleteFileW(child.c_str())) {
        failed(Win32Error("deleting " + Narrow(child)));
      }
    } while (::FindNextFileW(search.get(), &found));
  }
  if (first_failure) return *first_failure;
  if (!::RemoveDirectoryW(folder.c_str())) return Win32Error("deleting " + Narrow(folder));
  return Ok();
}

}  // namespace

Result<void> DeleteTreeWithoutFollowingLinks(const std::wstring& path) {
  const DWORD attributes = ::GetFileAttributesW(path.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) {
    const DWORD error = ::GetLastError();
    if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) return Ok();
    return Win32Error("reading the attributes of " + Narrow(path), error);
  }
  if (attributes & FILE_ATTRIBUTE_REPARSE_POINT) {
    return Error(ErrorKind::kFailedPrecondition,
                 Narrow(path) + " is a junction or symbolic link: it is not deleted through");
  }
  if (!(attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    if (!::DeleteFileW(path.c_str())) return Win32Error("deleting " + Narrow(path));
    return Ok();
  }
  return DeleteFolder(path);
}

}  // namespace sup::win
