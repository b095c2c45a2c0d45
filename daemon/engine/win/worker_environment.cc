#include "daemon/engine/win/worker_environment.h"

#include <userenv.h>

#include <cwchar>

#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::win {
namespace {

std::vector<std::string> Entries(const wchar_t* block) {
  std::vector<std::string> entries;
  for (const wchar_t* entry = block; *entry; entry += std::wcslen(entry) + 1)
    entries.push_back(Narrow(entry));
  return entries;
}

}  // namespace

std::vector<std::string> CurrentEnvironment() {
  const UniqueEnvironmentBlock block{::GetEnvironmentStringsW()};
  return block ? Entries(block.get()) : std::vector<std::string>{};
}

Result<std::vector<std::string>> TokenEnvironment(HANDLE token) {
  void* block = nullptr;
  if (!::CreateEnvironmentBlock(&block, token, FALSE))
    return Win32Error("making the environment of the worker's account");
  std::vector<std::string> entries = Entries(static_cast<const wchar_t*>(block));
  ::DestroyEnvironmentBlock(block);
  return entries;
}

std::wstring EnvironmentBlock(const std::vector<std::string>& entries) {
  std::wstring block;
  for (const std::string& entry : entries) {
    block += Widen(entry);
    block += L'\0';
  }
  block += L'\0';
  return block;
}

}  // namespace sup::win
