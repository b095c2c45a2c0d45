// Text between sup and Win32: sup is UTF-8 inside, the Win32 W functions take UTF-16.
#pragma once

#include <string>
#include <string_view>

namespace sup::win {

std::wstring Widen(std::string_view utf8);
std::string Narrow(std::wstring_view utf16);

// `text` with its %VARIABLES% replaced from this process's environment (unknown ones stay).
std::wstring ExpandEnvironmentVariables(const std::wstring& text);

}  // namespace sup::win
