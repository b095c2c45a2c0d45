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
  EXPECT_EQ(JoinWindowsCommandLine({"C:\\a b\\w.exe", "--name", "x y", ""}),
            "\"C:\\a b\\w.exe\" --name \"x y\" \"\"");
}

TEST(CommandLineTest, AnUnquotedProgramPathWithASpaceComesBackQuoted) {
  EXPECT_EQ(QuoteAmbiguousProgram("C:\\Program Files\\app.exe --port 80"),
            "\"C:\\Program Files\\app.exe\" --port 80");
  EXPECT_EQ(QuoteAmbiguousProgram("  C:\\My Tools\\job.BAT"), "\"C:\\My Tools\\job.BAT\"");
}

// CreateProcess adds .exe itself, so "C:\Program Files\app" also starts C:\Program.exe first.
TEST(CommandLineTest, AnUnquotedProgramPathWithoutItsExtensionComesBackQuotedToo) {
  EXPECT_EQ(QuoteAmbiguousProgram("C:\\Program Files\\app --port 80"),
            "\"C:\\Program Files\\app\" --port 80");
  EXPECT_EQ(QuoteAmbiguousProgram("C:\\My Tools\\sub dir\\job"), "\"C:\\My Tools\\sub dir\\job\"");
  EXPECT_EQ(QuoteAmbiguousProgram("C:\\tools\\app --name my app"), std::nullopt);  // no space
  EXPECT_EQ(QuoteAmbiguousProgram("app data"), std::nullopt);  // not a path: the PATH's app
}

TEST(CommandLineTest, AProgramThatCanBeToldFromItsArgumentsIsLeftAlone) {
  EXPECT_EQ(QuoteAmbiguousProgram("\"C:\\Program Files\\app.exe\" --port 80"),
            std::nullopt);  // quoted
  EXPECT_EQ(QuoteAmbiguousProgram("C:\\tools\\app.exe --name my.exe"),
            std::nullopt);  // no space in it
  EXPECT_EQ(QuoteAmbiguousProgram("cmd /c C:\\jobs\\nightly.bat"),
            std::nullopt);  // /c is an argument
  EXPECT_EQ(QuoteAmbiguousProgram("C:\\tools\\run --config D:\\x.exe"),
            std::nullopt);  // so is --config
  EXPECT_EQ(QuoteAmbiguousProgram("worker"), std::nullopt);
  EXPECT_EQ(QuoteAmbiguousProgram(""), std::nullopt);
}

}  // namespace
}  // namespace sup
