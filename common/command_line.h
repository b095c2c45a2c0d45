// Windows command-line quoting: the inverse of CommandLineToArgvW (and of the MSVC runtime's
// argv parsing), so any argument, with spaces, quotes or trailing backslashes, reaches the child
// exactly. Portable string code: unit-tested natively, round-trip-tested under Wine.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sup {

// One argument, quoted only when it needs to be.
std::string QuoteWindowsArgument(std::string_view argument);

// The arguments joined into one command line.
std::string JoinWindowsCommandLine(const std::vector<std::string>& arguments);

// An unquoted program path with a space in it ("C:\Program Files\app.exe --port 80"), which
// CreateProcess resolves piece by piece: C:\Program.exe first. Run as SYSTEM, that is a way in
// for whoever can write C:\Program.exe. Returns the command with the program quoted
// ("\"C:\Program Files\app.exe\" --port 80"), or nullopt when the program is quoted, has no
// space, or cannot be told from its arguments (a piece before the program's .exe, .com, .bat or
// .cmd that starts with -, / or a quote is an argument). A program path written without its
// extension is ambiguous the same way when it goes on past a space ("C:\Program Files\app
// --port 80": the program ends at the last piece holding a backslash).
std::optional<std::string> QuoteAmbiguousProgram(std::string_view command);

}  // namespace sup
