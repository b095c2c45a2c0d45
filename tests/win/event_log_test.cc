// supd.exe's message table against control::kEventLogKinds: every kind of entry supd writes has
// a message that takes exactly its strings, and the table holds no id supd does not write (but
// 1000, which earlier versions wrote). Wine has no event log, so this is how the texts are shown:
// Event Viewer formats them the same way (FormatMessage with the source's EventMessageFile).
#include "daemon/control/win/event_log.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "process_runner.h"

namespace sup::win {
namespace {

struct ModuleDeleter {
  void operator()(HMODULE module) const { ::FreeLibrary(module); }
};
using UniqueModule = std::unique_ptr<std::remove_pointer_t<HMODULE>, ModuleDeleter>;

UniqueModule LoadSupdMessages() {
  const std::wstring supd = Widen(testing::ExecutableDirectory() + "\\supd.exe");
  return UniqueModule(::LoadLibraryExW(supd.c_str(), nullptr, LOAD_LIBRARY_AS_DATAFILE));
}

// The message `id` formatted with `strings`, or nullopt if the table has none.
std::optional<std::string> Format(HMODULE module, DWORD id,
                                  const std::vector<std::wstring>& strings) {
  std::vector<DWORD_PTR> arguments;
  for (const std::wstring& text : strings)
    arguments.push_back(reinterpret_cast<DWORD_PTR>(text.c_str()));
  wchar_t* buffer = nullptr;
  const DWORD length = ::FormatMessageW(
      FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_ARGUMENT_ARRAY,
      module, id, 0, reinterpret_cast<LPWSTR>(&buffer), 0,
      reinterpret_cast<va_list*>(arguments.empty() ? nullptr : arguments.data()));
  if (length == 0) return std::nullopt;
  std::string text = Narrow(std::wstring_view(buffer, length));
  ::LocalFree(buffer);
  return text;
}

TEST(EventLogMessagesTest, EveryKindHasAMessageTakingExactlyItsStrings) {
  const UniqueModule module = LoadSupdMessages();
  ASSERT_TRUE(module) << Win32ErrorText(::GetLastError());
  for (const control::EventLogKind& kind : control::kEventLogKinds) {
    std::vector<std::wstring> strings;
    for (int i = 1; i <= kind.strings; ++i) strings.push_back(L"<s" + std::to_wstring(i) + L">");
    // One string more than it takes: a message that used it would show it.
    strings.push_back(L"<unused>");
    const std::optional<std::string> text = Format(module.get(), kind.id, strings);
    ASSERT_TRUE(text.has_value()) << kind.symbol << " (" << kind.id << ") has no message";
    for (int i = 1; i <= kind.strings; ++i) {
      EXPECT_NE(text->find("<s" + std::to_string(i) + ">"), std::string::npos)
          << kind.symbol << " does not show string " << i << ": " << *text;
    }
    EXPECT_EQ(text->find("<unused>"), std::string::npos) << kind.symbol << ": " << *text;
    EXPECT_EQ(text->find('%'), std::string::npos) << kind.symbol << ": " << *text;
  }
  const std::optional<std::string> started =
      Format(module.get(), control::event_ids::kSupdStarted.id,
             {L"0.1.0", L"4812", L"HKLM\\SOFTWARE\\Sup", L"3"});
  EXPECT_EQ(started,
            "supd 0.1.0 started (pid 4812, configuration HKLM\\SOFTWARE\\Sup, 3 "
            "workers).\r\n");
}

TEST(EventLogMessagesTest, TheTableHoldsNoIdSupdDoesNotWrite) {
  const UniqueModule module = LoadSupdMessages();
  ASSERT_TRUE(module);
  std::set<DWORD> expected{1000};  // earlier versions' log lines
  for (const control::EventLogKind& kind : control::kEventLogKinds) expected.insert(kind.id);
  std::set<DWORD> found;
  const std::vector<std::wstring> strings(9, L"x");
  for (DWORD id = 1; id < 4000; ++id) {
    if (Format(module.get(), id, strings)) found.insert(id);
  }
  EXPECT_EQ(found, expected);
}

// Where the source is not registered (under Wine there is no event log at all), reporting does
// nothing and fails nothing.
TEST(EventLogMessagesTest, ReportingWithoutAnEventLogIsHarmless) {
  WindowsEventLog event_log("supd-test-unregistered");
  for (const control::EventLogKind& kind : control::kEventLogKinds)
    event_log.Report({kind, std::vector<std::string>(kind.strings, "caf\xC3\xA9")});
}

}  // namespace
}  // namespace sup::win
