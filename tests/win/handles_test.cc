// RAII handle owners, error conversion and command-line quoting against the real Win32 API.
#include <gtest/gtest.h>

#include <windows.h>
#include <shellapi.h>

#include "common/command_line.h"
#include "common/win/unique_handle.h"
#include "common/win/utf8_arguments.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::win {
namespace {

bool IsOpen(HANDLE handle) {
  DWORD flags = 0;
  return ::GetHandleInformation(handle, &flags) != FALSE;
}

TEST(UniqueHandleTest, ClosesOnDestructionAndReset) {
  HANDLE raw = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
  ASSERT_TRUE(IsOpen(raw));
  { UniqueHandle owner{raw}; }
  EXPECT_FALSE(IsOpen(raw));

  UniqueHandle event{::CreateEventW(nullptr, TRUE, FALSE, nullptr)};
  HANDLE before = event.get();
  event.reset();
  EXPECT_FALSE(event);
  EXPECT_FALSE(IsOpen(before));
}

TEST(UniqueHandleTest, MovesOwnership) {
  UniqueHandle first{::CreateEventW(nullptr, TRUE, FALSE, nullptr)};
  HANDLE raw = first.get();
  UniqueHandle second = std::move(first);
  EXPECT_FALSE(first);  // NOLINT(bugprone-use-after-move): moved-from state is part of the contract
  EXPECT_EQ(second.get(), raw);
  EXPECT_TRUE(IsOpen(raw));
}

TEST(UniqueHandleTest, ClosingPreservesTheLastError) {
  UniqueHandle event{::CreateEventW(nullptr, TRUE, FALSE, nullptr)};
  ::SetLastError(ERROR_FILE_NOT_FOUND);
  event.reset();
  EXPECT_EQ(::GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
}

TEST(UniqueHandleTest, FileHandleTreatsInvalidHandleValueAsEmpty) {
  UniqueFileHandle missing{::CreateFileW(L"C:\\no\\such\\file.txt", GENERIC_READ, 0, nullptr,
                                         OPEN_EXISTING, 0, nullptr)};
  EXPECT_FALSE(missing);
  EXPECT_EQ(missing.get(), INVALID_HANDLE_VALUE);
}

TEST(Win32ErrorTest, NamesTheCallTheSystemTextAndTheCode) {
  const Error error = Win32Error("opening C:\\x", ERROR_FILE_NOT_FOUND);
  EXPECT_EQ(error.kind(), ErrorKind::kNotFound);
  EXPECT_EQ(error.code().value(), ERROR_FILE_NOT_FOUND);
  EXPECT_EQ(error.message().rfind("opening C:\\x: ", 0), 0u) << error.message();
  EXPECT_NE(error.message().find("(2)"), std::string::npos) << error.message();
  EXPECT_EQ(Win32Error("x", ERROR_ACCESS_DENIED).kind(), ErrorKind::kPermissionDenied);
}

TEST(Win32ErrorTest, ConvertsUtf8AndUtf16BothWays) {
  const std::string text = "naïve – 日本";
  EXPECT_EQ(Narrow(Widen(text)), text);
  EXPECT_EQ(Widen("abc"), L"abc");
}

// What JoinWindowsCommandLine writes, CommandLineToArgvW (through SplitWindowsCommandLine) reads
// back unchanged.
TEST(CommandLineRoundTripTest, SurvivesCommandLineToArgvW) {
  const std::vector<std::string> arguments = {"C:\\Program Files\\w.exe",
                                              "",
                                              "plain",
                                              "two words",
                                              "quote\"inside",
                                              "trailing\\",
                                              "trail space\\",
                                              "\\\\server\\share",
                                              "a\\\\\"b",
                                              "tab\there",
                                              "ünïcode"};
  EXPECT_EQ(SplitWindowsCommandLine(Widen(JoinWindowsCommandLine(arguments))), arguments);
}

}  // namespace
}  // namespace sup::win
