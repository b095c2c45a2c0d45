#include "client/win/console.h"

#include <windows.h>

#include <cstdio>
#include <string>

#include "client/exit_codes.h"
#include "client/terminal_text.h"
#include "common/win/text.h"

namespace sup::client {
namespace {

// A console shows text through its code page, which is rarely UTF-8: text for a console goes in
// as UTF-16 (WriteConsoleW), so "café" reads as café whatever the code page, and with its control
// characters shown, not obeyed (worker output must not drive an admin's terminal:
// EscapeForTerminal). A pipe or a file gets the UTF-8 bytes themselves.
bool WriteToConsole(DWORD which, std::string_view text, bool escape = true) {
  const HANDLE handle = ::GetStdHandle(which);
  DWORD mode = 0;
  if (handle == INVALID_HANDLE_VALUE || handle == nullptr || !::GetConsoleMode(handle, &mode))
    return false;
  const std::wstring wide = win::Widen(escape ? EscapeForTerminal(text) : std::string(text));
  DWORD written = 0;
  return ::WriteConsoleW(handle, wide.data(), static_cast<DWORD>(wide.size()), &written, nullptr) !=
         FALSE;
}

}  // namespace

void Print(std::string_view text) {
  if (WriteToConsole(STD_OUTPUT_HANDLE, text)) return;
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void PrintTerminalControls(std::string_view sequence) {
  if (WriteToConsole(STD_OUTPUT_HANDLE, sequence, /*escape=*/false)) return;
  std::fwrite(sequence.data(), 1, sequence.size(), stdout);
  std::fflush(stdout);
}

int Fail(const Error& error) {
  const std::string line = "supctl: " + error.message() + "\n";
  if (!WriteToConsole(STD_ERROR_HANDLE, line)) {
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  }
  return ExitCodeFor(error.kind());
}

}  // namespace sup::client
