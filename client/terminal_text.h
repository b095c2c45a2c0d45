// Text supctl writes to a console, made harmless: `supctl logs`, `describe` and `events` show what
// workers wrote, and a terminal acts on control characters (ESC sequences retitle the window,
// move the cursor, rewrite what was shown; some terminals answer them as if typed). On a console
// they are shown in caret notation instead (ESC as ^[, BEL as ^G, C1 controls as <U+009B>); piped
// or redirected, supctl writes the bytes as they are. Portable, unit-tested natively.
#pragma once

#include <string>
#include <string_view>

namespace sup::client {

// `utf8` with every control character but line feed, tab and a carriage return before a line
// feed shown as text.
std::string EscapeForTerminal(std::string_view utf8);

}  // namespace sup::client
