#include "common/win/object_security.h"

#include <bcrypt.h>
#include <sddl.h>

#include <vector>

#include "common/win/win32_error.h"

namespace sup::win {

Result<std::string> UnguessableToken() {
  unsigned char bytes[16];
  const NTSTATUS status =
      ::BCryptGenRandom(nullptr, bytes, sizeof(bytes), BCRYPT_USE_SYSTEM_PREFERRED_RNG);
  if (status < 0) {
    return Error(ErrorKind::kInternal,
                 "BCryptGenRandom failed with status " + std::to_string(status));
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (const unsigned char byte : bytes) {
    token += kHex[byte >> 4];
    token += kHex[byte & 15];
  }
  return token;
}

std::string ProcessUserSid(HANDLE process) {
  HANDLE raw = nullptr;
  if (!::OpenProcessToken(process, TOKEN_QUERY, &raw)) return {};
  const UniqueHandle token{raw};
  return TokenUserSid(token.get());
}

std::string TokenUserSid(HANDLE token) {
  DWORD size = 0;
  ::GetTokenInformation(token, TokenUser, nullptr, 0, &size);
  std::vector<BYTE> buffer(size);
  if (size == 0 || !::GetTokenInformation(token, TokenUser, buffer.data(), size, &size)) return {};
  LPWSTR text = nullptr;
  if (!::ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid, &text))
    return {};
  const UniqueLocalMemory owned{text};
  return Narrow(text);
}

Result<std::string> AccountSid(const std::string& account) {
  // ".\\user", as the SCM writes a local account, is "user" to LookupAccountName.
  const std::wstring name = Widen(account.rfind(".\\", 0) == 0 ? account.substr(2) : account);
  PSID sid = nullptr;
  if (account.rfind("S-", 0) == 0 && ::ConvertStringSidToSidW(name.c_str(), &sid)) {
    const UniqueLocalMemory owned{sid};
    return account;
  }
  DWORD sid_size = 0, domain_size = 0;
  SID_NAME_USE use;
  ::LookupAccountNameW(nullptr, name.c_str(), nullptr, &sid_size, nullptr, &domain_size, &use);
  std::vector<BYTE> buffer(sid_size);
  std::wstring domain(domain_size, L'\0');
  if (sid_size == 0 || !::LookupAccountNameW(nullptr, name.c_str(), buffer.data(), &sid_size,
                                             domain.data(), &domain_size, &use)) {
    return Win32Error("looking up \"" + account + "\"");
  }
  LPWSTR text = nullptr;
  if (!::ConvertSidToStringSidW(buffer.data(), &text)) return Win32Error("converting a SID");
  const UniqueLocalMemory owned{text};
  return Narrow(text);
}

std::string OwnUserSid() {
  static const std::string sid = ProcessUserSid(::GetCurrentProcess());  // it does not change
  return sid;
}

std::string AdministratorsAndSelfSddl() {
  static const std::string sddl = [] {
    std::string dacl = "D:P(A;;GA;;;SY)(A;;GA;;;BA)";
    const std::string self = OwnUserSid();
    if (!self.empty() && self != "S-1-5-18") dacl += "(A;;GA;;;" + self + ")";
    return dacl;
  }();
  return sddl;
}

SecurityAttributes::SecurityAttributes(UniqueLocalMemory descriptor)
    : descriptor_(std::move(descriptor)) {
  attributes_.nLength = sizeof(attributes_);
  attributes_.lpSecurityDescriptor = descriptor_.get();
  attributes_.bInheritHandle = FALSE;
}

Result<SecurityAttributes> SecurityAttributes::FromSddl(const std::string& sddl) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(Widen(sddl).c_str(), SDDL_REVISION_1,
                                                              &descriptor, nullptr)) {
    return Win32Error("parsing the security descriptor \"" + sddl + "\"");
  }
  return SecurityAttributes(UniqueLocalMemory{descriptor});
}

Result<UniqueHandle> CreateExclusiveEvent(const std::string& name) {
  Result<SecurityAttributes> security = SecurityAttributes::FromSddl(AdministratorsAndSelfSddl());
  if (!security) return security.error();
  UniqueHandle event{::CreateEventW(security->get(), TRUE, FALSE, Widen(name).c_str())};
  if (!event) return Win32Error("creating the event " + name);
  if (::GetLastError() == ERROR_ALREADY_EXISTS) {
    return Error(ErrorKind::kFailedPrecondition,
                 "the event " + name + " already exists: another process created it first");
  }
  return event;
}

Result<NamedHandle> CreateUnguessableEvent(const std::string& prefix) {
  Result<std::string> token = UnguessableToken();
  if (!token) return token.error();
  const std::string name = prefix + *token;
  Result<UniqueHandle> event = CreateExclusiveEvent(name);
  if (!event) return event.error();
  return NamedHandle{name, std::move(*event)};
}

}  // namespace sup::win
