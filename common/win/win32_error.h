// The one place Win32 error codes become sup::Error values.
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

}  // namespace sup::win
