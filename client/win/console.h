// supctl's two outputs: results on stdout (flushed at once, so a script reading a followed
// stream sees each line as it comes), and a failure on stderr with its exit code.
#pragma once

#include <string_view>

#include "common/result.h"

namespace sup::client {

// On a console, control characters in `text` are shown, not obeyed (EscapeForTerminal).
void Print(std::string_view text);
// supctl's own terminal sequences (top's "clear the screen"), written to the console as they are.
void PrintTerminalControls(std::string_view sequence);

// "supctl: <message>" on stderr; returns the exit code (ExitCodeFor).
int Fail(const Error& error);

}  // namespace sup::client
