// What supctl reads out of a service's arguments: the options supd was given, and from them the
// health pipe `service start|set|status` asks, worked out as supd works it out.
#include "client/win/scm_service.h"

#include <windows.h>

#include <gtest/gtest.h>

namespace sup::client::win {
namespace {

TEST(ScmServiceTest, FindsSupdOptionsInEitherSpelling) {
  EXPECT_EQ(SupdOption("--pipe-prefix a --log-level debug", "--pipe-prefix"), "a");
  EXPECT_EQ(SupdOption("--config-key=\"HKLM\\SOFTWARE\\Sup 2\"", "--config-key"),
            "HKLM\\SOFTWARE\\Sup 2");
  EXPECT_EQ(SupdOption("--config-key \"HKLM\\SOFTWARE\\Sup 2\"", "--config-key"),
            "HKLM\\SOFTWARE\\Sup 2");
  EXPECT_FALSE(SupdOption("--pipe-prefix", "--pipe-prefix"));  // no value
  EXPECT_FALSE(SupdOption("", "--config-key"));
}

TEST(ScmServiceTest, HealthPipeComesFromThePrefixThenTheRegistryThenTheDefault) {
  EXPECT_EQ(HealthPipeOfArguments("--pipe-prefix blue"), "blue-health");

  const std::wstring key =
      L"Software\\SupScmServiceTest-" + std::to_wstring(::GetCurrentProcessId());
  const std::wstring pipe = L"custom-health";
  ::RegSetKeyValueW(HKEY_CURRENT_USER, key.c_str(), L"HealthPipe", REG_SZ, pipe.c_str(),
                    static_cast<DWORD>((pipe.size() + 1) * sizeof(wchar_t)));
  const std::string arguments =
      "--config-key HKCU\\Software\\SupScmServiceTest-" + std::to_string(::GetCurrentProcessId());
  EXPECT_EQ(HealthPipeOfArguments(arguments), "custom-health");
  ::RegDeleteTreeW(HKEY_CURRENT_USER, key.c_str());
  ::RegDeleteKeyW(HKEY_CURRENT_USER, key.c_str());
  EXPECT_EQ(HealthPipeOfArguments(arguments), "sup-health");  // nothing configured there
}

}  // namespace
}  // namespace sup::client::win
