#include "common/win/utf8_arguments.h"

#include <windows.h>
#include <shellapi.h>

#include "common/win/win32_error.h"

namespace sup::win {

Utf8Arguments::Utf8Arguments() {
  int count = 0;
  LPWSTR* wide = ::CommandLineToArgvW(::GetCommandLineW(), &count);
  if (wide) {
    for (int i = 0; i < count; ++i) arguments_.push_back(Narrow(wide[i]));
    ::LocalFree(wide);
  }
  for (const std::string& argument : arguments_) pointers_.push_back(argument.c_str());
}

}  // namespace sup::win
