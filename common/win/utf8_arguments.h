// The process's command-line arguments as UTF-8, in argc/argv form for CLI11. main's own argv is
// in the ANSI code page and would mangle any argument outside it.
#pragma once

#include <string>
#include <vector>

namespace sup::win {

// A command line split as CommandLineToArgvW splits it (the program first), as UTF-8: the one
// reader of Windows command lines, for supctl's arguments and for a service's ImagePath.
std::vector<std::string> SplitWindowsCommandLine(const std::wstring& command_line);

class Utf8Arguments {
 public:
  Utf8Arguments();  // reads GetCommandLineW()

  int argc() const { return static_cast<int>(pointers_.size()); }
  const char* const* argv() const { return pointers_.data(); }

 private:
  std::vector<std::string> arguments_;
  std::vector<const char*> pointers_;  // into arguments_
};

}  // namespace sup::win
