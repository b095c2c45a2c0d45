// Logging on the account a worker runs as (Account other than LocalSystem), as a seam: supd (it
// holds SeTcbPrivilege as LocalSystem) asks for a service logon with the token groups of
// AccountTokenGroups (its worker SID, LOCAL and a new logon SID): LogonUserExExW for the built-in
// accounts (no password), user accounts (the password supd keeps) and group managed service
// accounts (no password: the LSA fetches it from the domain, as for the SCM's services), or
// LsaLogonUser with an S4U logon (LogonType=s4u: no password; MSV1_0 for a local account,
// Kerberos for a domain one; a batch logon, as Task Scheduler's). LogonUserExExW is looked up
// when first used: Wine has none (measured, Wine 8.0: advapi32 exports LogonUserW only, which
// returns success with a handle that is not a token), and Wine's LSA has no S4U, so under Wine
// only the request, recorded by a fake, can be shown.
#pragma once

#include <windows.h>

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/win/unique_handle.h"
#include "common/worker_token_plan.h"

namespace sup::win {

// A password in memory, as Windows takes it (UTF-16), zeroed by every copy when it goes.
// Copied, never moved: a moved-from string may keep the characters in its own buffer.
class SecretText {
 public:
  SecretText() = default;
  explicit SecretText(std::wstring text) : text_(std::move(text)) {}
  SecretText(const SecretText&) = default;
  SecretText& operator=(const SecretText& other) {
    if (this != &other) {
      Wipe();
      text_ = other.text_;
    }
    return *this;
  }
  ~SecretText() { Wipe(); }
  const std::wstring& text() const { return text_; }
  bool empty() const { return text_.empty(); }
  bool operator==(const SecretText&) const = default;

 private:
  void Wipe() { ::SecureZeroMemory(text_.data(), text_.capacity() * sizeof(wchar_t)); }
  std::wstring text_;
};

struct LogonRequest {
  std::string user;    // "LocalService", "svc-web", "gmsa-web$", "svc@corp.example"
  std::string domain;  // "NT AUTHORITY", "." (this computer), "CORP"; "" for a UPN
  DWORD logon_type = LOGON32_LOGON_SERVICE;
  std::vector<TokenGroupSpec> groups;
  SecretText password;  // empty: none (built-in accounts, gMSA, s4u)
  bool s4u = false;     // LsaLogonUser with an S4U logon instead of LogonUserExExW
  bool operator==(const LogonRequest&) const = default;
};

class AccountLogon {
 public:
  virtual ~AccountLogon() = default;
  // A primary token for `request`, or the system's reason it cannot be had.
  virtual Result<UniqueHandle> LogOn(const LogonRequest& request) = 0;
};

// LogonUserExExW, or LsaLogonUser for s4u.
std::unique_ptr<AccountLogon> SystemAccountLogon();

// A logon SID for one logon: S-1-5-5-X-Y from a locally unique id.
Result<std::string> NewLogonSid();

}  // namespace sup::win
