// Where supd keeps workers' passwords: DPAPI blobs under <key>\Secrets, bound to the worker's
// name, in a key only supd's account may read. Under Wine (measured, Wine 8.0) DPAPI round-trips
// and refuses other entropy, and a key keeps the descriptor set on it; that no other account
// may read the key, and that only SYSTEM can decrypt the blobs, only Windows shows.
#include "daemon/engine/win/password_vault.h"

#include <windows.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/config/win/key_security.h"
#include "common/win/object_security.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "dacl.h"

namespace sup::win {
namespace {

class PasswordVaultTest : public ::testing::Test {
 protected:
  static win::RegistryPath TestKey() {
    win::RegistryPath key;
    key.root = HKEY_CURRENT_USER;
    key.subkey = L"Software\\SupTests\\password-vault-" + std::to_wstring(::GetCurrentProcessId());
    key.display = "HKCU\\" + Narrow(key.subkey);
    return key;
  }
  ~PasswordVaultTest() override { ::RegDeleteTreeW(HKEY_CURRENT_USER, config_key_.subkey.c_str()); }

  std::wstring SecretsSubkey() const { return config_key_.subkey + L"\\Secrets"; }

  // The raw value of `worker` under Secrets.
  std::vector<BYTE> Blob(const std::string& worker) const {
    DWORD bytes = 0;
    ::RegGetValueW(HKEY_CURRENT_USER, SecretsSubkey().c_str(), Widen(worker).c_str(),
                   RRF_RT_REG_BINARY, nullptr, nullptr, &bytes);
    std::vector<BYTE> blob(bytes);
    if (bytes != 0) {
      ::RegGetValueW(HKEY_CURRENT_USER, SecretsSubkey().c_str(), Widen(worker).c_str(),
                     RRF_RT_REG_BINARY, nullptr, blob.data(), &bytes);
    }
    return blob;
  }

  static bool Holds(const std::vector<BYTE>& haystack, const void* needle, std::size_t bytes) {
    const auto* begin = static_cast<const BYTE*>(needle);
    return std::search(haystack.begin(), haystack.end(), begin, begin + bytes) != haystack.end();
  }

  const win::RegistryPath config_key_ = TestKey();
  std::vector<std::string> changed_;
  PasswordVault vault_{config_key_,
                       [this](const std::string& worker) { changed_.push_back(worker); }};
};

TEST_F(PasswordVaultTest, KeepsAPasswordOnlyEncryptedAndRevealsItForItsWorkerAlone) {
  ASSERT_TRUE(vault_.Prepare().ok()) << vault_.Prepare().error().message();
  EXPECT_FALSE(vault_.Has("web"));
  const std::string password = "c0rrect horse \xc3\xbc";  // ü: kept as UTF-16
  ASSERT_TRUE(vault_.Keep("web", password));
  EXPECT_TRUE(vault_.Has("web"));
  EXPECT_EQ(changed_, std::vector<std::string>{"web"});

  // Neither the UTF-8 nor the UTF-16 of it is in the registry.
  const std::vector<BYTE> blob = Blob("web");
  ASSERT_FALSE(blob.empty());
  const std::wstring wide = Widen(password);
  EXPECT_FALSE(Holds(blob, password.data(), password.size()));
  EXPECT_FALSE(Holds(blob, wide.data(), wide.size() * sizeof(wchar_t)));

  Result<SecretText> revealed = vault_.Reveal("web");
  ASSERT_TRUE(revealed) << revealed.error().message();
  EXPECT_EQ(revealed->text(), wide);

  // A blob copied to another worker's value does not decrypt: the name is its entropy.
  ASSERT_EQ(::RegSetKeyValueW(HKEY_CURRENT_USER, SecretsSubkey().c_str(), L"api", REG_BINARY,
                              blob.data(), static_cast<DWORD>(blob.size())),
            ERROR_SUCCESS);
  Result<SecretText> copied = vault_.Reveal("api");
  ASSERT_FALSE(copied);
  EXPECT_EQ(
      copied.error().message().rfind("decrypting " + vault_.display() +
                                         "\\api (kept by "
                                         "another account or for another worker? set it again)",
                                     0),
      0u)
      << copied.error().message();

  ASSERT_TRUE(vault_.Forget("web"));
  EXPECT_FALSE(vault_.Has("web"));
  Result<SecretText> gone = vault_.Reveal("web");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(gone.error().message(), "supd keeps no password of web");
  EXPECT_TRUE(vault_.Forget("web")) << "forgetting none is no error";
  EXPECT_EQ(changed_, (std::vector<std::string>{"web", "web", "web"}));
}

// The key's descriptor: supd's account (and SYSTEM) alone, Administrators delete only, nothing
// inherited from the configuration key (operators read that). Set again on a key that was there
// first with another.
TEST_F(PasswordVaultTest, TheKeyIsForSupdsAccountAloneWhoeverMadeItFirst) {
  EXPECT_EQ(SecretsKeySddl("S-1-5-18"), "O:S-1-5-18D:P(A;;KA;;;SY)(A;;SD;;;BA)");
  EXPECT_EQ(SecretsKeySddl("S-1-5-80-1-2-3-4-5"),
            "O:S-1-5-80-1-2-3-4-5D:P(A;;KA;;;SY)(A;;KA;;;S-1-5-80-1-2-3-4-5)(A;;SD;;;BA)");
  HKEY raw = nullptr;
  ASSERT_EQ(::RegCreateKeyExW(HKEY_CURRENT_USER, SecretsSubkey().c_str(), 0, nullptr, 0,
                              KEY_READ | WRITE_DAC | WRITE_OWNER, nullptr, &raw, nullptr),
            ERROR_SUCCESS);
  {
    const UniqueRegistryKey first{raw};
    ASSERT_TRUE(win::SetKeySecurity(first.get(), "O:BAD:(A;;KA;;;BU)"));
  }
  ASSERT_TRUE(vault_.Prepare().ok()) << vault_.Prepare().error().message();
  ASSERT_EQ(::RegOpenKeyExW(HKEY_CURRENT_USER, SecretsSubkey().c_str(), 0, READ_CONTROL, &raw),
            ERROR_SUCCESS);
  const UniqueRegistryKey secrets{raw};
  DWORD size = 0;
  constexpr SECURITY_INFORMATION kWhat = OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;
  ::RegGetKeySecurity(secrets.get(), kWhat, nullptr, &size);
  std::vector<BYTE> descriptor(size);
  ASSERT_EQ(::RegGetKeySecurity(secrets.get(), kWhat, descriptor.data(), &size), ERROR_SUCCESS);
  EXPECT_EQ(testing::DaclEntries(descriptor.data()),
            testing::SddlDacl(SecretsKeySddl(OwnUserSid())));
  // What supd checks at start (trusting its own account) finds nobody else able to change it.
  Result<std::vector<std::string>> writers =
      win::ForeignConfigKeyWriters(config_key_, {OwnUserSid()});
  ASSERT_TRUE(writers) << writers.error().message();
  EXPECT_EQ(*writers, std::vector<std::string>{});
}

// `config delete` and `uninstall --purge`: the passwords go with the configuration.
TEST_F(PasswordVaultTest, DeletingTheConfigurationDeletesThePasswords) {
  ASSERT_TRUE(vault_.Prepare().ok()) << vault_.Prepare().error().message();
  ASSERT_TRUE(vault_.Keep("web", "secret"));
  EXPECT_EQ(win::DeleteConfigTree(config_key_), ERROR_SUCCESS);
  EXPECT_FALSE(vault_.Has("web"));
  HKEY raw = nullptr;
  EXPECT_EQ(::RegOpenKeyExW(HKEY_CURRENT_USER, config_key_.subkey.c_str(), 0, KEY_READ, &raw),
            ERROR_FILE_NOT_FOUND);
}

}  // namespace
}  // namespace sup::win
