// Windows command-line quoting: the inverse of CommandLineToArgvW (and of the MSVC runtime's
// argv parsing), so any argument, with spaces, quotes or trailing backslashes, reaches the child
// exactly. Portable string code: unit-tested natively, round-trip-tested under Wine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sup {

// One argument, quoted only when it needs to be.
std::string QuoteWindowsArgument(std::string_view argument);

// The arguments joined into one command line.
std::string JoinWindowsCommandLine(const std::vector<std::string>& arguments);

}  // namespace sup
