#include "client/win/secret_input.h"

#include <windows.h>

#include <cstdio>

#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::client::win {
namespace {

constexpr std::size_t kMaxSecretBytes = 1024;

// One line typed at the console `input` with echo off (the mode is restored after).
Result<std::string> ReadLineWithoutEcho(HANDLE input, const std::string& prompt) {
  DWORD mode = 0;
  ::GetConsoleMode(input, &mode);
  std::fputs(prompt.c_str(), stderr);
  std::fflush(stderr);
  ::SetConsoleMode(input, (mode & ~static_cast<DWORD>(ENABLE_ECHO_INPUT)) | ENABLE_LINE_INPUT);
  std::wstring line(kMaxSecretBytes + 2, L'\0');
  DWORD read = 0;
  const BOOL ok =
      ::ReadConsoleW(input, line.data(), static_cast<DWORD>(line.size()), &read, nullptr);
  ::SetConsoleMode(input, mode);
  std::fputs("\n", stderr);
  if (!ok) return sup::win::Win32Error("reading the password from the console");
  line.resize(read);
  while (!line.empty() && (line.back() == L'\n' || line.back() == L'\r')) line.pop_back();
  std::string text = sup::win::Narrow(line);
  ::SecureZeroMemory(line.data(), line.capacity() * sizeof(wchar_t));
  return text;
}

}  // namespace

void Wipe(std::string& secret) { ::SecureZeroMemory(secret.data(), secret.capacity()); }

Result<std::string> AskSecretTwice(const std::string& prompt) {
  const HANDLE input = ::GetStdHandle(STD_INPUT_HANDLE);
  DWORD mode = 0;
  // A console without a window (a process started with CREATE_NO_WINDOW) has nobody to type.
  if (input == INVALID_HANDLE_VALUE || !::GetConsoleMode(input, &mode) ||
      ::GetConsoleWindow() == nullptr) {
    return Error(ErrorKind::kInvalidArgument,
                 "no console to ask the password on: pipe it in with --stdin");
  }
  Result<std::string> first = ReadLineWithoutEcho(input, prompt);
  if (!first) return first.error();
  Result<std::string> second = ReadLineWithoutEcho(input, "Again: ");
  if (!second) {
    Wipe(*first);
    return second.error();
  }
  const bool same = *first == *second;
  Wipe(*second);
  if (!same) {
    Wipe(*first);
    return Error(ErrorKind::kInvalidArgument, "the two passwords differ: nothing was kept");
  }
  return first;
}

Result<std::string> ReadSecretFromStdin() {
  std::string text;
  text.reserve(kMaxSecretBytes + 1);  // no reallocation leaves a copy behind
  for (int c = std::getchar(); c != EOF && c != '\n'; c = std::getchar()) {
    if (text.size() == kMaxSecretBytes) {
      Wipe(text);
      return Error(ErrorKind::kInvalidArgument, "the password on stdin is longer than 1024 bytes");
    }
    text.push_back(static_cast<char>(c));
  }
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

}  // namespace sup::client::win
