#include "daemon/engine/win/password_vault.h"

#include <wincrypt.h>

#include <vector>

#include "common/config/win/key_security.h"
#include "common/win/object_security.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::win {
namespace {

constexpr char kSystemSid[] = "S-1-5-18";

// The worker's name as DPAPI entropy: its blob decrypts only under its own name.
DATA_BLOB EntropyOf(const std::wstring& worker) {
  return DATA_BLOB{static_cast<DWORD>(worker.size() * sizeof(wchar_t)),
                   reinterpret_cast<BYTE*>(const_cast<wchar_t*>(worker.data()))};
}

struct LocalFreer {
  void operator()(BYTE* memory) const { ::LocalFree(memory); }
};

}  // namespace

std::string SecretsKeySddl(const std::string& own_sid) {
  // KA for supd's account and SYSTEM; SD (delete) alone for Administrators; "P": the
  // configuration key's entries (operators read) do not reach it.
  std::string sddl = "O:" + own_sid + "D:P(A;;KA;;;SY)";
  if (own_sid != kSystemSid) sddl += "(A;;KA;;;" + own_sid + ")";
  return sddl + "(A;;SD;;;BA)";
}

PasswordVault::PasswordVault(win::RegistryPath config_key,
                             std::function<void(const std::string&)> changed)
    : secrets_(std::move(config_key)), changed_(std::move(changed)) {
  secrets_.subkey += std::wstring(L"\\") + win::kSecretsSubkey;
  secrets_.display += "\\" + Narrow(win::kSecretsSubkey);
}

Result<void> PasswordVault::Prepare() {
  return win::SecureConfigKey(secrets_, SecretsKeySddl(OwnUserSid()));
}

Result<void> PasswordVault::Keep(const std::string& worker, const std::string& password) {
  const std::wstring name = Widen(worker);
  SecretText secret{Widen(password)};
  DATA_BLOB clear{static_cast<DWORD>(secret.text().size() * sizeof(wchar_t)),
                  reinterpret_cast<BYTE*>(const_cast<wchar_t*>(secret.text().data()))};
  DATA_BLOB entropy = EntropyOf(name);
  DATA_BLOB sealed{};
  // No CRYPTPROTECT_LOCAL_MACHINE: only supd's own account can decrypt it.
  if (!::CryptProtectData(&clear, L"sup worker password", &entropy, nullptr, nullptr,
                          CRYPTPROTECT_UI_FORBIDDEN, &sealed)) {
    return Win32Error("encrypting the password of " + worker);
  }
  const std::unique_ptr<BYTE, LocalFreer> owned(sealed.pbData);
  const LSTATUS status = ::RegSetKeyValueW(secrets_.root, secrets_.subkey.c_str(), name.c_str(),
                                           REG_BINARY, sealed.pbData, sealed.cbData);
  if (status != ERROR_SUCCESS) {
    return Win32Error("writing " + secrets_.display + "\\" + worker, static_cast<DWORD>(status));
  }
  if (changed_) changed_(worker);
  return Ok();
}

Result<void> PasswordVault::Forget(const std::string& worker) {
  const LSTATUS status =
      ::RegDeleteKeyValueW(secrets_.root, secrets_.subkey.c_str(), Widen(worker).c_str());
  if (status != ERROR_SUCCESS && status != ERROR_FILE_NOT_FOUND) {
    return Win32Error("deleting " + secrets_.display + "\\" + worker, static_cast<DWORD>(status));
  }
  if (changed_) changed_(worker);
  return Ok();
}

bool PasswordVault::Has(const std::string& worker) const {
  return ::RegGetValueW(secrets_.root, secrets_.subkey.c_str(), Widen(worker).c_str(),
                        RRF_RT_REG_BINARY, nullptr, nullptr, nullptr) == ERROR_SUCCESS;
}

Result<SecretText> PasswordVault::Reveal(const std::string& worker) const {
  const std::wstring name = Widen(worker);
  const std::string where = secrets_.display + "\\" + worker;
  DWORD bytes = 0;
  LSTATUS status = ::RegGetValueW(secrets_.root, secrets_.subkey.c_str(), name.c_str(),
                                  RRF_RT_REG_BINARY, nullptr, nullptr, &bytes);
  if (status == ERROR_FILE_NOT_FOUND)
    return Error(ErrorKind::kNotFound, "supd keeps no password of " + worker);
  std::vector<BYTE> blob(bytes);
  if (status == ERROR_SUCCESS) {
    status = ::RegGetValueW(secrets_.root, secrets_.subkey.c_str(), name.c_str(), RRF_RT_REG_BINARY,
                            nullptr, blob.data(), &bytes);
  }
  if (status != ERROR_SUCCESS) return Win32Error("reading " + where, static_cast<DWORD>(status));
  DATA_BLOB sealed{bytes, blob.data()};
  DATA_BLOB entropy = EntropyOf(name);
  DATA_BLOB clear{};
  if (!::CryptUnprotectData(&sealed, nullptr, &entropy, nullptr, nullptr, CRYPTPROTECT_UI_FORBIDDEN,
                            &clear)) {
    return Win32Error("decrypting " + where +
                      " (kept by another account or for another worker? set it again)");
  }
  const std::unique_ptr<BYTE, LocalFreer> owned(clear.pbData);
  SecretText secret{
      std::wstring(reinterpret_cast<const wchar_t*>(clear.pbData), clear.cbData / sizeof(wchar_t))};
  ::SecureZeroMemory(clear.pbData, clear.cbData);
  return secret;
}

}  // namespace sup::win
