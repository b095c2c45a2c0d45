#include "client/win/top_command.h"

#include <windows.h>

#include "client/exit_codes.h"
#include "client/win/console.h"
#include "client/win/supd_connection.h"

namespace sup::client::win {
namespace {

// Waits `interval` for the user to press q; false when the interval passed (or there is no
// console to read keys from, and it simply waited).
bool QuitPressed(HANDLE input, bool console_input, std::chrono::milliseconds interval) {
  const auto deadline = std::chrono::steady_clock::now() + interval;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    if (!console_input) {
      ::Sleep(static_cast<DWORD>(left.count()));
      return false;
    }
    if (::WaitForSingleObject(input, static_cast<DWORD>(left.count())) != WAIT_OBJECT_0)
      return false;
    INPUT_RECORD records[16];
    DWORD read = 0;
    if (!::ReadConsoleInputW(input, records, 16, &read)) return false;
    for (DWORD i = 0; i < read; ++i) {
      const KEY_EVENT_RECORD& key = records[i].Event.KeyEvent;
      if (records[i].EventType == KEY_EVENT && key.bKeyDown &&
          (key.uChar.UnicodeChar == L'q' || key.uChar.UnicodeChar == L'Q')) {
        return true;
      }
    }
  }
}

}  // namespace

int RunTop(const GlobalOptions& options, const TopOptions& top) {
  sup::v1::Request request;
  request.mutable_status();
  ControlConnection connection;
  Result<sup::v1::Response> response = CallSupd(options.pipe, options.timeout, request, connection);
  const HANDLE output = ::GetStdHandle(STD_OUTPUT_HANDLE);
  DWORD output_mode = 0;
  const bool console = !top.once && ::GetConsoleMode(output, &output_mode);
  // Escape sequences redraw the frame in place (Windows 10 and later consoles understand them).
  if (console) ::SetConsoleMode(output, output_mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING);
  const HANDLE input = ::GetStdHandle(STD_INPUT_HANDLE);
  DWORD input_mode = 0;
  const bool console_input = ::GetConsoleMode(input, &input_mode);
  int code = kExitOk;
  while (true) {
    if (!response) {
      code = Fail(response.error().kind() == ErrorKind::kUnavailable
                      ? response.error().WithContext("cannot reach supd")
                      : response.error());
      break;
    }
    const std::string frame = options.json() ? RenderStatusJson(response->status())
                                             : RenderTop(response->status(), top.sort);
    if (top.once) {
      Print(frame);
      break;
    }
    if (console) PrintTerminalControls("\x1b[H\x1b[2J");  // home, clear: supctl's own
    Print(console ? frame + "\n(q quits)\n" : frame + "\n");
    if (QuitPressed(input, console_input, top.interval)) break;
    response = connection.client->Call(request);
    // supd restarted, or dropped this connection: a new one.
    if (!response) response = CallSupd(options.pipe, options.timeout, request, connection);
  }
  if (console) ::SetConsoleMode(output, output_mode);
  return code;
}

}  // namespace sup::client::win
