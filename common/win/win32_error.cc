#include "common/win/win32_error.h"

#include "common/win/text.h"
#include "common/win/unique_handle.h"

namespace sup::win {
namespace {

ErrorKind KindOf(DWORD code) {
  switch (code) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_SERVICE_DOES_NOT_EXIST: return ErrorKind::kNotFound;
    case ERROR_ACCESS_DENIED:
    case ERROR_PRIVILEGE_NOT_HELD: return ErrorKind::kPermissionDenied;
    case ERROR_INVALID_PARAMETER:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME: return ErrorKind::kInvalidArgument;
    case ERROR_PIPE_BUSY:
    case ERROR_SEM_TIMEOUT:
    case WAIT_TIMEOUT:
    case ERROR_BROKEN_PIPE:
    case ERROR_NO_DATA:
    case ERROR_PIPE_NOT_CONNECTED: return ErrorKind::kUnavailable;
    default: return ErrorKind::kInternal;
  }
}

}  // namespace

std::string Win32ErrorText(DWORD code) {
  wchar_t* text = nullptr;
  const DWORD length = ::FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, code, 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  const UniqueLocalMemory owned{text};
  if (length == 0) return "Win32 error " + std::to_string(code);
  std::wstring message(text, length);
  while (!message.empty() &&
         (message.back() == L'\n' || message.back() == L'\r' || message.back() == L' ')) {
    message.pop_back();
  }
  return Narrow(message);
}

Error Win32Error(std::string_view what, DWORD code) {
  return Error(KindOf(code),
               std::string(what) + ": " + Win32ErrorText(code) + " (" + std::to_string(code) + ")",
               std::error_code(static_cast<int>(code), std::system_category()));
}

}  // namespace sup::win
