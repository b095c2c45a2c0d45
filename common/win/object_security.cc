#include "common/win/object_security.h"

#include <bcrypt.h>
#include <sddl.h>

#include <algorithm>
#include <iterator>
#include <vector>

#include "common/case_insensitive.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "common/worker_sid.h"

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

namespace {

// The TOKEN_USER of a token, empty if it cannot be read.
std::vector<BYTE> TokenUserBuffer(HANDLE token) {
  DWORD size = 0;
  ::GetTokenInformation(token, TokenUser, nullptr, 0, &size);
  std::vector<BYTE> buffer(size);
  if (size == 0 || !::GetTokenInformation(token, TokenUser, buffer.data(), size, &size)) return {};
  return buffer;
}

PSID UserOf(std::vector<BYTE>& token_user) {
  return token_user.empty() ? nullptr : reinterpret_cast<TOKEN_USER*>(token_user.data())->User.Sid;
}

}  // namespace

std::string TokenUserSid(HANDLE token) {
  std::vector<BYTE> user = TokenUserBuffer(token);
  return SidString(UserOf(user));
}

std::string TokenUserName(HANDLE token) {
  std::vector<BYTE> user = TokenUserBuffer(token);
  return AccountName(UserOf(user));
}

std::string SidString(PSID sid) {
  LPWSTR text = nullptr;
  if (!sid || !::ConvertSidToStringSidW(sid, &text)) return {};
  const UniqueLocalMemory owned{text};
  return Narrow(text);
}

std::string AccountName(PSID sid) {
  wchar_t name[256], domain[256];
  DWORD name_size = 256, domain_size = 256;
  SID_NAME_USE use;
  if (!sid || !::LookupAccountSidW(nullptr, sid, name, &name_size, domain, &domain_size, &use))
    return {};
  return domain[0] ? Narrow(domain) + "\\" + Narrow(name) : Narrow(name);
}

std::string DescribeAccount(const std::string& sid_text) {
  PSID sid = nullptr;
  if (!::ConvertStringSidToSidW(Widen(sid_text).c_str(), &sid)) return sid_text;
  const UniqueLocalMemory owned{sid};
  const std::string account = AccountName(sid);
  return account.empty() ? sid_text : account + " (" + sid_text + ")";
}

std::vector<std::string> ForeignWriters(PSECURITY_DESCRIPTOR descriptor,
                                        const std::vector<std::string>& trusted,
                                        const GENERIC_MAPPING& mapping, ACCESS_MASK change_rights) {
  static constexpr const char* kAlwaysTrusted[] = {
      "S-1-5-18",      // SYSTEM
      "S-1-5-32-544",  // Administrators
      // TrustedInstaller, which owns much of what Windows itself installs
      "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"};
  const auto is_trusted = [&](const std::string& sid) {
    return std::find(std::begin(kAlwaysTrusted), std::end(kAlwaysTrusted), sid) !=
               std::end(kAlwaysTrusted) ||
           std::find(trusted.begin(), trusted.end(), sid) != trusted.end();
  };
  std::vector<std::string> writers;
  const auto add = [&](const std::string& sid) {
    if (!is_trusted(sid) && std::find(writers.begin(), writers.end(), sid) == writers.end())
      writers.push_back(sid);
  };
  PSID owner = nullptr;
  BOOL owner_defaulted = FALSE;
  if (::GetSecurityDescriptorOwner(descriptor, &owner, &owner_defaulted) && owner)
    add(SidString(owner));
  BOOL present = FALSE, defaulted = FALSE;
  PACL dacl = nullptr;
  if (!::GetSecurityDescriptorDacl(descriptor, &present, &dacl, &defaulted) || !present || !dacl) {
    add("S-1-1-0");  // no DACL: everyone may do everything
    return writers;
  }
  GENERIC_MAPPING generic = mapping;
  for (DWORD index = 0; index < dacl->AceCount; ++index) {
    void* raw = nullptr;
    if (!::GetAce(dacl, index, &raw)) continue;
    const auto* header = static_cast<ACE_HEADER*>(raw);
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE || (header->AceFlags & INHERIT_ONLY_ACE))
      continue;
    const auto* ace = static_cast<ACCESS_ALLOWED_ACE*>(raw);
    ACCESS_MASK mask = ace->Mask;
    ::MapGenericMask(&mask, &generic);
    if (mask & change_rights) add(SidString(const_cast<DWORD*>(&ace->SidStart)));
  }
  return writers;
}

Result<std::vector<std::string>> ForeignFileWriters(HANDLE file,
                                                    const std::vector<std::string>& trusted,
                                                    ACCESS_MASK change_rights) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  const DWORD read = ::GetSecurityInfo(file, SE_FILE_OBJECT,
                                       OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                       nullptr, nullptr, nullptr, nullptr, &descriptor);
  if (read != ERROR_SUCCESS) return Win32Error("reading its permissions", read);
  const UniqueLocalMemory owned{descriptor};
  std::vector<std::string> writers;
  for (const std::string& sid :
       ForeignWriters(descriptor, trusted, kFileGenericMapping, change_rights))
    writers.push_back(DescribeAccount(sid));
  return writers;
}

Result<void> SetSecurityFromSddl(HANDLE object, SE_OBJECT_TYPE type, const std::string& sddl) {
  Result<SecurityAttributes> security = SecurityAttributes::FromSddl(sddl);
  if (!security) return security.error();
  BOOL present = FALSE, defaulted = FALSE;
  PACL dacl = nullptr;
  PSID owner = nullptr;
  SECURITY_DESCRIPTOR_CONTROL control = 0;
  DWORD revision = 0;
  ::GetSecurityDescriptorDacl(security->descriptor(), &present, &dacl, &defaulted);
  ::GetSecurityDescriptorOwner(security->descriptor(), &owner, &defaulted);
  ::GetSecurityDescriptorControl(security->descriptor(), &control, &revision);
  const SECURITY_INFORMATION what =
      DACL_SECURITY_INFORMATION | (owner ? OWNER_SECURITY_INFORMATION : 0) |
      ((control & SE_DACL_PROTECTED) ? PROTECTED_DACL_SECURITY_INFORMATION
                                     : UNPROTECTED_DACL_SECURITY_INFORMATION);
  const DWORD set = ::SetSecurityInfo(object, type, what, owner, nullptr, dacl, nullptr);
  if (set != ERROR_SUCCESS) return Win32Error("SetSecurityInfo", set);
  return Ok();
}

Result<std::string> AccountSid(const std::string& account) {
  // A virtual account's SID follows from its service's name (the SCM's rule), and the service may
  // not exist yet (supctl service install secures supd's folder and key before it creates it).
  if (account.size() > 11 &&
      EqualsIgnoringCase(std::string_view(account).substr(0, 11), "NT SERVICE\\")) {
    return ServiceNameSid(std::string_view(account).substr(11));
  }
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

Result<UniqueHandle> CreateExclusiveEvent(const std::string& name, const std::string& waiter_sid) {
  std::string sddl = AdministratorsAndSelfSddl();
  if (!waiter_sid.empty()) sddl += "(A;;0x100000;;;" + waiter_sid + ")";  // SYNCHRONIZE
  Result<SecurityAttributes> security = SecurityAttributes::FromSddl(sddl);
  if (!security) return security.error();
  UniqueHandle event{::CreateEventW(security->get(), TRUE, FALSE, Widen(name).c_str())};
  if (!event) return Win32Error("creating the event " + name);
  if (::GetLastError() == ERROR_ALREADY_EXISTS) {
    return Error(ErrorKind::kFailedPrecondition,
                 "the event " + name + " already exists: another process created it first");
  }
  return event;
}

Result<NamedHandle> CreateUnguessableEvent(const std::string& prefix,
                                           const std::string& waiter_sid) {
  Result<std::string> token = UnguessableToken();
  if (!token) return token.error();
  const std::string name = prefix + *token;
  Result<UniqueHandle> event = CreateExclusiveEvent(name, waiter_sid);
  if (!event) return event.error();
  return NamedHandle{name, std::move(*event)};
}

}  // namespace sup::win
