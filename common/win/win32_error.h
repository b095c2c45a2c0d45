// The one place Win32 error codes become sup::Error values, and UTF-8 <-> UTF-16 conversion
// (sup is UTF-8 inside; Win32 W functions take UTF-16).
#pragma once

#include <windows.h>

#include <string>
#include <string_view>

#include "common/result.h"

namespace sup::win {

// An Error for the failed call described by `what` ("opening \\.\pipe\sup-control"), with the
// system's text for `code`: "opening ...: The system cannot find the file specified. (2)".
// Call it right after the failing call: the default argument reads GetLastError().
Error Win32Error(std::string_view what, DWORD code = ::GetLastError());

// The system's message for a Win32 error code, without the trailing line break.
std::string Win32ErrorText(DWORD code);

std::wstring Widen(std::string_view utf8);
std::string Narrow(std::wstring_view utf16);

// `text` with its %VARIABLES% replaced from this process's environment (unknown ones stay).
std::wstring ExpandEnvironmentVariables(const std::wstring& text);

}  // namespace sup::win
