// Who may change supd's configuration key: the descriptor `supctl service install` gives it, and
// the check supd makes at start and at each reload. The decision is shown on descriptors of every
// kind; the real calls on keys under HKCU (Wine keeps a key's descriptor and returns it, but
// enforces none of it: that a standard user is kept out only real Windows shows).
#include "common/config/win/key_security.h"

#include <windows.h>

#include <aclapi.h>
#include <sddl.h>

#include <gtest/gtest.h>

#include "common/win/object_security.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "dacl.h"

namespace sup::win {
namespace {

std::vector<std::string> WritersOf(const std::string& sddl,
                                   const std::vector<std::string>& trusted = {}) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  EXPECT_TRUE(::ConvertStringSecurityDescriptorToSecurityDescriptorW(
      win::Widen(sddl).c_str(), SDDL_REVISION_1, &descriptor, nullptr))
      << sddl;
  const win::UniqueLocalMemory owned{descriptor};
  return descriptor ? ForeignKeyWriters(descriptor, trusted) : std::vector<std::string>{"?"};
}

TEST(KeySecurityTest, TheKeyIsForSystemAdministratorsAndSupdWithOperatorsReading) {
  EXPECT_EQ(ConfigKeySddl("", ""), "O:BAD:P(A;OICI;KA;;;SY)(A;OICI;KA;;;BA)");
  EXPECT_EQ(ConfigKeySddl("S-1-5-18", "S-1-5-32-547"),
            "O:BAD:P(A;OICI;KA;;;SY)(A;OICI;KA;;;BA)(A;OICI;KR;;;S-1-5-32-547)");
  EXPECT_EQ(ConfigKeySddl("S-1-5-19", ""),
            "O:BAD:P(A;OICI;KA;;;SY)(A;OICI;KA;;;BA)(A;OICI;KA;;;S-1-5-19)");
  // What install sets passes supd's own check.
  EXPECT_EQ(WritersOf(ConfigKeySddl("S-1-5-19", "S-1-5-32-547"), {"S-1-5-19"}),
            std::vector<std::string>{});
}

TEST(KeySecurityTest, ReadingIsFineWritingIsNot) {
  // A key made under SOFTWARE by default: users read, CREATOR OWNER only passed on to subkeys.
  const std::string usual = "O:BAD:(A;;KA;;;SY)(A;;KA;;;BA)(A;CIIO;GA;;;CO)(A;CI;KR;;;BU)";
  EXPECT_EQ(WritersOf(usual), std::vector<std::string>{});
  EXPECT_EQ(WritersOf(usual + "(A;;KW;;;BU)"), std::vector<std::string>{"S-1-5-32-545"});
  EXPECT_EQ(WritersOf(usual + "(A;;GA;;;AU)"), std::vector<std::string>{"S-1-5-11"});
  EXPECT_EQ(WritersOf(usual + "(A;;GW;;;WD)"), std::vector<std::string>{"S-1-1-0"});
  EXPECT_EQ(WritersOf(usual + "(A;;0x2;;;IU)"), std::vector<std::string>{"S-1-5-4"});  // set value
  EXPECT_EQ(WritersOf(usual + "(A;;WD;;;BU)"), std::vector<std::string>{"S-1-5-32-545"});
  // A deny entry grants nothing; an entry only passed on is judged on the subkeys.
  EXPECT_EQ(WritersOf(usual + "(D;;KA;;;BU)(A;CIIO;KA;;;BU)"), std::vector<std::string>{});
}

TEST(KeySecurityTest, AnOwnerOutsideAdministratorsOrNoDaclIsAWriterToo) {
  EXPECT_EQ(WritersOf("O:S-1-5-21-1-2-3-1001D:P(A;;KA;;;SY)"),
            std::vector<std::string>{"S-1-5-21-1-2-3-1001"});
  EXPECT_EQ(WritersOf("O:SY"), std::vector<std::string>{"S-1-1-0"});  // no DACL at all
  EXPECT_EQ(WritersOf("O:S-1-5-19D:P(A;;KA;;;S-1-5-19)", {"S-1-5-19"}), std::vector<std::string>{});
}

class KeySecurityKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_.root = HKEY_CURRENT_USER;
    path_.subkey = L"Software\\SupTests\\key-security-" + std::to_wstring(::GetCurrentProcessId());
    path_.display = "HKCU\\" + win::Narrow(path_.subkey);
  }
  void TearDown() override { ::RegDeleteTreeW(HKEY_CURRENT_USER, path_.subkey.c_str()); }

  // A key with the owner and DACL of `sddl` (set after creation: Wine ignores a descriptor given
  // to RegCreateKeyEx).
  void CreateKey(const std::wstring& subkey, const std::string& sddl) {
    HKEY raw = nullptr;
    ASSERT_EQ(::RegCreateKeyExW(HKEY_CURRENT_USER, subkey.c_str(), 0, nullptr, 0,
                                KEY_READ | WRITE_DAC | WRITE_OWNER, nullptr, &raw, nullptr),
              ERROR_SUCCESS);
    const win::UniqueRegistryKey key{raw};
    ASSERT_TRUE(SetKeySecurity(key.get(), sddl).ok());
  }

  RegistryPath path_;
};

// A configuration users may write, at the top and in a worker's key: each is named, with who.
// Install then secures the top and, by inheritance, what it passes on; an entry set explicitly on
// a worker's key stays, and so stays reported.
TEST_F(KeySecurityKeyTest, WritableKeysAreNamedAndInstallSecuresTheKey) {
  CreateKey(path_.subkey, "O:BAD:(A;OICI;KA;;;SY)(A;OICI;KA;;;BA)(A;OICI;KA;;;BU)");
  CreateKey(path_.subkey + L"\\Workers", "O:BAD:(A;OICI;KA;;;SY)(A;OICI;KA;;;BA)");
  CreateKey(path_.subkey + L"\\Workers\\api", "O:BAD:(A;;KA;;;SY)(A;;KA;;;BA)(A;;KW;;;BU)");
  Result<std::vector<std::string>> before = ForeignConfigKeyWriters(path_, {});
  ASSERT_TRUE(before.ok()) << before.error().message();
  ASSERT_EQ(before->size(), 2u) << ::testing::PrintToString(*before);
  EXPECT_EQ((*before)[0].rfind(path_.display + ": ", 0), 0u) << (*before)[0];
  EXPECT_NE((*before)[0].find("S-1-5-32-545"), std::string::npos) << (*before)[0];
  EXPECT_EQ((*before)[1].rfind(path_.display + "\\Workers\\api: ", 0), 0u) << (*before)[1];

  ASSERT_TRUE(SecureConfigKey(path_, ConfigKeySddl("", "")).ok());
  Result<std::vector<std::string>> after = ForeignConfigKeyWriters(path_, {});
  ASSERT_TRUE(after.ok()) << after.error().message();
  ASSERT_EQ(after->size(), 1u) << ::testing::PrintToString(*after);
  EXPECT_EQ((*after)[0].rfind(path_.display + "\\Workers\\api: ", 0), 0u) << (*after)[0];
}

TEST_F(KeySecurityKeyTest, InstallCreatesAMissingKeyWithItsDescriptor) {
  ASSERT_TRUE(SecureConfigKey(path_, ConfigKeySddl("", "S-1-5-32-547")).ok());
  Result<std::vector<std::string>> writers = ForeignConfigKeyWriters(path_, {});
  ASSERT_TRUE(writers.ok()) << writers.error().message();
  EXPECT_EQ(*writers, std::vector<std::string>{});
}

// sup installed from the MSI with nothing configured yet: no key, nobody to warn about (supd
// once said "writable by others" with "File not found" as the writers).
TEST_F(KeySecurityKeyTest, AMissingKeyHasNoWritersToWarnAbout) {
  Result<std::vector<std::string>> writers = ForeignConfigKeyWriters(path_, {});
  ASSERT_TRUE(writers.ok()) << writers.error().message();
  EXPECT_EQ(*writers, std::vector<std::string>{});
}

// supd started with nothing configured under HKLM: the key it creates (for <key>\State) gets the
// configuration key's descriptor, not SOFTWARE's (every user may read there); an existing key is
// left as it is; keys outside HKLM (tests, --config-key HKCU\...) are not touched.
TEST(KeySecurityMachineKeyTest, AMissingMachineKeyIsMadeProtectedAnExistingOneLeftAlone) {
  RegistryPath path;
  path.root = HKEY_LOCAL_MACHINE;
  path.subkey = L"SOFTWARE\\SupTests\\missing-" + std::to_wstring(::GetCurrentProcessId());
  path.display = "HKLM\\" + win::Narrow(path.subkey);
  ASSERT_TRUE(SecureConfigKeyIfMissing(path, "S-1-5-20").ok());
  HKEY raw = nullptr;
  ASSERT_EQ(::RegOpenKeyExW(HKEY_LOCAL_MACHINE, path.subkey.c_str(), 0,
                            READ_CONTROL | WRITE_DAC | WRITE_OWNER, &raw),
            ERROR_SUCCESS);
  win::UniqueRegistryKey key{raw};
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  ASSERT_EQ(::GetSecurityInfo(key.get(), SE_REGISTRY_KEY, DACL_SECURITY_INFORMATION, nullptr,
                              nullptr, nullptr, nullptr, &descriptor),
            static_cast<DWORD>(ERROR_SUCCESS));
  const win::UniqueLocalMemory owned{descriptor};
  EXPECT_EQ(testing::DaclEntries(descriptor), testing::SddlDacl(ConfigKeySddl("S-1-5-20", "")));
  // Now it exists: a DACL set meanwhile is not replaced.
  ASSERT_TRUE(
      SetKeySecurity(key.get(), "O:BAD:P(A;OICI;KA;;;SY)(A;OICI;KA;;;BA)(A;OICI;KR;;;BU)").ok());
  ASSERT_TRUE(SecureConfigKeyIfMissing(path, "S-1-5-20").ok());
  PSECURITY_DESCRIPTOR again = nullptr;
  ASSERT_EQ(::GetSecurityInfo(key.get(), SE_REGISTRY_KEY, DACL_SECURITY_INFORMATION, nullptr,
                              nullptr, nullptr, nullptr, &again),
            static_cast<DWORD>(ERROR_SUCCESS));
  const win::UniqueLocalMemory owned_again{again};
  EXPECT_EQ(testing::DaclEntries(again).size(), 3u);  // SY, BA, BU read: kept
  key.reset();
  ::RegDeleteTreeW(HKEY_LOCAL_MACHINE, path.subkey.c_str());
  RegistryPath user = path;
  user.root = HKEY_CURRENT_USER;
  ASSERT_TRUE(SecureConfigKeyIfMissing(user, "").ok());
  EXPECT_NE(::RegOpenKeyExW(HKEY_CURRENT_USER, path.subkey.c_str(), 0, KEY_READ, &raw),
            ERROR_SUCCESS);
}

}  // namespace
}  // namespace sup::win
