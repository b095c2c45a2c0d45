#include "common/win/utf8_arguments.h"

#include <windows.h>
#include <shellapi.h>

#include "common/win/unique_handle.h"
#include "common/win/text.h"

namespace sup::win {

std::vector<std::string> SplitWindowsCommandLine(const std::wstring& command_line) {
  int count = 0;
  LPWSTR* wide = ::CommandLineToArgvW(command_line.c_str(), &count);
  const UniqueLocalMemory owned{wide};
  std::vector<std::string> arguments;
  for (int i = 0; wide && i < count; ++i) arguments.push_back(Narrow(wide[i]));
  return arguments;
}

Utf8Arguments::Utf8Arguments() : arguments_(SplitWindowsCommandLine(::GetCommandLineW())) {
  for (const std::string& argument : arguments_) pointers_.push_back(argument.c_str());
}

}  // namespace sup::win
