#include "common/command_line.h"

#include <gtest/gtest.h>

namespace sup {
namespace {

TEST(CommandLineTest, LeavesPlainArgumentsAlone) {
  EXPECT_EQ(QuoteWindowsArgument("worker.exe"), "worker.exe");
  EXPECT_EQ(QuoteWindowsArgument("C:\\path\\to\\x"), "C:\\path\\to\\x");
}

TEST(CommandLineTest, QuotesEmptyAndSpacedArguments) {
  EXPECT_EQ(QuoteWindowsArgument(""), "\"\"");
  EXPECT_EQ(QuoteWindowsArgument("C:\\Program Files\\app"), "\"C:\\Program Files\\app\"");
}

TEST(CommandLineTest, EscapesQuotesAndTheBackslashesBeforeThem) {
  EXPECT_EQ(QuoteWindowsArgument("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(QuoteWindowsArgument("a\\\"b"), "\"a\\\\\\\"b\"");
  // Trailing backslashes are doubled because the closing quote follows them.
  EXPECT_EQ(QuoteWindowsArgument("dir with space\\"), "\"dir with space\\\\\"");
  EXPECT_EQ(QuoteWindowsArgument("x\\ y"), "\"x\\ y\"");
}

TEST(CommandLineTest, JoinsWithSpaces) {
  EXPECT_EQ(JoinWindowsCommandLine({"C:\\a b\\w.exe", "--name", "x y", ""}), "\"C:\\a b\\w.exe\" --name \"x y\" \"\"");
}

}  // namespace
}  // namespace sup
