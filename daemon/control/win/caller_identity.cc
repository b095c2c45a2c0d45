#include "daemon/control/win/caller_identity.h"

#include <sddl.h>

#include <cstdio>

#include "common/win/object_security.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::win {
namespace {

std::vector<BYTE> WellKnownSid(WELL_KNOWN_SID_TYPE type) {
  std::vector<BYTE> sid(SECURITY_MAX_SID_SIZE);
  DWORD size = static_cast<DWORD>(sid.size());
  if (!::CreateWellKnownSid(type, nullptr, sid.data(), &size)) return {};
  sid.resize(size);
  return sid;
}

bool IsMember(HANDLE token, const std::vector<BYTE>& sid) {
  BOOL member = FALSE;
  return !sid.empty() && ::CheckTokenMembership(token, const_cast<BYTE*>(sid.data()), &member) &&
         member;
}

// SYSTEM, or a member of Administrators whose membership is enabled (not a filtered UAC token).
bool IsAdministrator(HANDLE token) {
  static const std::vector<BYTE> system = WellKnownSid(WinLocalSystemSid);
  static const std::vector<BYTE> administrators = WellKnownSid(WinBuiltinAdministratorsSid);
  return IsMember(token, system) || IsMember(token, administrators);
}

}  // namespace

Result<CallerIdentity> CallerIdentity::Create(const std::string& operators_group,
                                              const std::string& supd_sid) {
  CallerIdentity identity;
  identity.supd_sid_ = supd_sid;
  if (operators_group.empty()) return identity;
  Result<std::string> text = AccountSid(operators_group);
  if (!text) return text.error().WithContext("OperatorsGroup");
  PSID sid = nullptr;
  if (!::ConvertStringSidToSidW(Widen(*text).c_str(), &sid)) return Win32Error("converting a SID");
  const UniqueLocalMemory owned{sid};
  const auto* bytes = static_cast<const BYTE*>(sid);
  identity.operators_sid_.assign(bytes, bytes + ::GetLengthSid(sid));
  return identity;
}

void RevertOrTerminate(BOOL(WINAPI* revert)(), void (*terminate)()) {
  if (revert()) return;
  terminate();
}

void TerminateSupd() { ::TerminateProcess(::GetCurrentProcess(), ERROR_CANNOT_IMPERSONATE); }

control::ClientAccount ClientAccountOf(HANDLE pipe) {
  ULONG pid = 0;
  if (!::GetNamedPipeClientProcessId(pipe, &pid)) return {};
  const UniqueHandle process{::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid)};
  HANDLE raw = nullptr;
  if (!process || !::OpenProcessToken(process.get(), TOKEN_QUERY | TOKEN_DUPLICATE, &raw))
    return {};
  const UniqueHandle primary{raw};
  control::ClientAccount account;
  account.sid = TokenUserSid(primary.get());
  // CheckTokenMembership wants an impersonation token; identification level is enough.
  HANDLE duplicate = nullptr;
  if (!::DuplicateToken(primary.get(), SecurityIdentification, &duplicate)) return account;
  const UniqueHandle token{duplicate};
  account.administrator = IsAdministrator(token.get());
  return account;
}

bool ClientIsAWorker(HANDLE pipe, const std::function<bool(HANDLE process)>& in_a_workers_job) {
  ULONG pid = 0;
  if (!::GetNamedPipeClientProcessId(pipe, &pid)) return true;
  // IsProcessInJob takes the limited right on Windows; Wine wants PROCESS_QUERY_INFORMATION.
  UniqueHandle process{::OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, pid)};
  if (!process) process.reset(::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
  return !process || in_a_workers_job(process.get());
}

control::Caller CallerIdentity::Identify(HANDLE pipe, bool from_a_worker) const {
  if (!::ImpersonateNamedPipeClient(pipe)) return {control::Role::kNone, ""};
  HANDLE raw_token = nullptr;
  const BOOL opened = ::OpenThreadToken(::GetCurrentThread(), TOKEN_QUERY, TRUE, &raw_token);
  RevertOrTerminate();  // before anything else: nothing of supd's may run as the client
  if (!opened) return {control::Role::kNone, ""};
  UniqueHandle token{raw_token};
  control::Caller caller;
  caller.name = TokenUserName(token.get());
  if (from_a_worker) caller.name += " in a worker's job";
  if (IsAdministrator(token.get()) && !from_a_worker) {
    caller.role = control::Role::kAdministrator;
  } else if (IsMember(token.get(), operators_sid_)) {
    caller.role = control::Role::kOperator;
  }
  return caller;
}

std::string PipeClientAce(const std::string& sid) {
  char rights[16];
  std::snprintf(rights, sizeof(rights), "0x%lx", static_cast<unsigned long>(kPipeClientRights));
  return "(A;;" + std::string(rights) + ";;;" + sid + ")";
}

std::string SupdPipeSddl(const std::string& supd_sid) {
  // "P": protected, nothing inherited; GA for SYSTEM, Administrators and supd itself only.
  std::string sddl = "D:P(A;;GA;;;SY)(A;;GA;;;BA)";
  if (!supd_sid.empty() && supd_sid != "S-1-5-18") sddl += "(A;;GA;;;" + supd_sid + ")";
  return sddl;
}

std::string HealthPipeSddl(const std::string& supd_sid) {
  return SupdPipeSddl(supd_sid) + PipeClientAce("AU");
}

std::string CallerIdentity::ControlPipeSddl() const {
  std::string sddl = SupdPipeSddl(supd_sid_);
  if (!operators_sid_.empty())
    sddl += PipeClientAce(SidString(const_cast<BYTE*>(operators_sid_.data())));
  return sddl;
}

}  // namespace sup::win
