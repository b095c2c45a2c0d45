#include "client/terminal_text.h"

#include <gtest/gtest.h>

namespace sup::client {
namespace {

TEST(TerminalTextTest, PlainTextLineBreaksAndTabsStay) {
  EXPECT_EQ(EscapeForTerminal("api: started\n\tcaf\xC3\xA9 \xE6\x97\xA5\r\n"),
            "api: started\n\tcaf\xC3\xA9 \xE6\x97\xA5\r\n");
}

// A worker printing "\x1b]0;Administrator: evil\x07" would retitle the admin's console window;
// "\x1b[2J" would clear it; CSI in C1 form does the same on terminals that read it.
TEST(TerminalTextTest, ControlCharactersAreShownNotObeyed) {
  EXPECT_EQ(EscapeForTerminal("\x1b]0;Administrator: evil\x07"), "^[]0;Administrator: evil^G");
  EXPECT_EQ(EscapeForTerminal("\x1b[2J\x1b[1;1H"), "^[[2J^[[1;1H");
  EXPECT_EQ(EscapeForTerminal("a\rb"), "a^Mb");  // a lone CR would write over the line
  EXPECT_EQ(EscapeForTerminal(std::string("nul\0del\x7f", 8)), "nul^@del^?");
  EXPECT_EQ(EscapeForTerminal("\xC2\x9B"
                              "2J and \xC2\x85"),
            "<U+009B>2J and <U+0085>");
  EXPECT_EQ(EscapeForTerminal("\xC2\xA0nbsp"), "\xC2\xA0nbsp");  // U+00A0 is no control
}

}  // namespace
}  // namespace sup::client
