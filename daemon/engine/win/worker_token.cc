#include "daemon/engine/win/worker_token.h"

#include <sddl.h>
#include <userenv.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/case_insensitive.h"
#include "common/win/object_security.h"
#include "common/win/token_info.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "common/worker_token_plan.h"
#include "daemon/engine/win/worker_environment.h"

namespace sup::win {
namespace {

constexpr DWORD kOwnTokenRights = TOKEN_DUPLICATE | TOKEN_QUERY | TOKEN_ASSIGN_PRIMARY |
                                  TOKEN_ADJUST_DEFAULT | TOKEN_ADJUST_SESSIONID;

// SIDs made from their strings, kept alive for the SID_AND_ATTRIBUTES pointing at them.
class SidList {
 public:
  Result<void> Add(const std::string& sid, DWORD attributes) {
    PSID made = nullptr;
    if (!::ConvertStringSidToSidW(Widen(sid).c_str(), &made))
      return Win32Error("reading the SID " + sid);
    owned_.emplace_back(made);
    entries_.push_back({made, attributes});
    return Ok();
  }
  DWORD count() const { return static_cast<DWORD>(entries_.size()); }
  SID_AND_ATTRIBUTES* get() { return entries_.empty() ? nullptr : entries_.data(); }

 private:
  std::vector<UniqueLocalMemory> owned_;
  std::vector<SID_AND_ATTRIBUTES> entries_;
};

Result<void> SetDefaultDacl(HANDLE token, const std::string& sddl) {
  Result<SecurityAttributes> security = SecurityAttributes::FromSddl(sddl);
  if (!security) return security.error();
  BOOL present = FALSE, defaulted = FALSE;
  PACL dacl = nullptr;
  ::GetSecurityDescriptorDacl(security->descriptor(), &present, &dacl, &defaulted);
  TOKEN_DEFAULT_DACL value{dacl};
  if (!::SetTokenInformation(token, TokenDefaultDacl, &value, sizeof(value)))
    return Win32Error("setting the worker token's default DACL");
  return Ok();
}

}  // namespace

Result<ReducedTokenRequest> ReducedTokenRequestFor(HANDLE base, const std::string& worker,
                                                   const WorkerIdentity& identity) {
  Result<std::vector<TokenGroup>> groups = TokenGroupsOf(base);
  if (!groups) return groups.error();
  Result<std::vector<std::string>> privileges = TokenPrivilegeNames(base);
  if (!privileges) return privileges.error();
  ReducedTokenRequest request;
  const bool supds_account = identity.account.kind == AccountKind::kLocalSystem;
  // The default DACL: the worker reaches what it creates as its user when that is supd's
  // (SYSTEM, or the account supd runs as), through its worker SID group otherwise.
  const std::string user = supds_account ? TokenUserSid(base) : std::string(kSystemSid);
  if (user.empty()) return Error(ErrorKind::kInternal, "reading the user of supd's token");
  request.default_dacl = WorkerDefaultDaclSddl(worker, user);
  request.flags = 0;
  if (!identity.restricted) return request;  // the account's token as it is
  for (const TokenGroup& group : *groups) {
    if (DenyOnlyInReducedToken(group.sid) && !group.deny_only())
      request.deny_only.push_back(group.sid);
  }
  for (const std::string& privilege : *privileges) {
    if (!ReducedTokenKeeps(identity, privilege)) request.deleted_privileges.push_back(privilege);
  }
  for (const std::string& kept : identity.keep_privileges) {
    const bool held =
        std::any_of(privileges->begin(), privileges->end(),
                    [&](const std::string& p) { return EqualsIgnoringCase(p, kept); });
    if (!held) request.kept_but_not_held.push_back(kept);
  }
  request.restricting_sids = RestrictingSids(worker, identity);
  if (!request.restricting_sids.empty()) request.flags = WRITE_RESTRICTED;
  return request;
}

Result<UniqueHandle> MakeReducedToken(HANDLE base, const ReducedTokenRequest& request) {
  SidList deny_only, restricting;
  for (const std::string& sid : request.deny_only) {
    if (Result<void> added = deny_only.Add(sid, 0); !added) return added.error();
  }
  for (const std::string& sid : request.restricting_sids) {
    if (Result<void> added = restricting.Add(sid, 0); !added) return added.error();
  }
  std::vector<LUID_AND_ATTRIBUTES> deleted;
  for (const std::string& name : request.deleted_privileges) {
    LUID luid{};
    if (!::LookupPrivilegeValueW(nullptr, Widen(name).c_str(), &luid))
      return Win32Error("looking up the privilege " + name);
    deleted.push_back({luid, 0});
  }
  HANDLE made = nullptr;
  if (!::CreateRestrictedToken(base, request.flags, deny_only.count(), deny_only.get(),
                               static_cast<DWORD>(deleted.size()),
                               deleted.empty() ? nullptr : deleted.data(), restricting.count(),
                               restricting.get(), &made)) {
    return Win32Error("CreateRestrictedToken");
  }
  UniqueHandle token{made};
  if (Result<void> set = SetDefaultDacl(token.get(), request.default_dacl); !set)
    return set.error();
  return token;
}

Result<UniqueHandle> OpenOwnToken() {
  HANDLE token = nullptr;
  if (!::OpenProcessToken(::GetCurrentProcess(), kOwnTokenRights, &token))
    return Win32Error("opening supd's own token");
  return UniqueHandle{token};
}

Result<std::string> ControllerSid(HANDLE supd_token) {
  Result<std::vector<TokenGroup>> groups = TokenGroupsOf(supd_token);
  if (!groups) return groups.error();
  for (const TokenGroup& group : *groups) {
    if (group.sid.starts_with("S-1-5-80-") && (group.attributes & SE_GROUP_ENABLED) &&
        !group.deny_only()) {
      return group.sid;
    }
  }
  const std::string user = TokenUserSid(supd_token);
  if (user.empty()) return Error(ErrorKind::kInternal, "reading the user of supd's token");
  return user;
}

Result<void> ProtectOwnProcess() {
  return SetSecurityFromSddl(::GetCurrentProcess(), SE_KERNEL_OBJECT, SupdProcessSddl());
}

Result<HANDLE> WorkerTokens::SupdToken() {
  std::lock_guard lock(mutex_);
  if (!supd_token_) {
    Result<UniqueHandle> opened = OpenOwnToken();
    if (!opened) return opened.error();
    supd_token_ = std::move(*opened);
  }
  return supd_token_.get();
}

Result<std::string> WorkerTokens::controller_sid() {
  {
    std::lock_guard lock(mutex_);
    if (!controller_sid_.empty()) return controller_sid_;
  }
  Result<HANDLE> token = SupdToken();
  if (!token) return token.error();
  Result<std::string> sid = ControllerSid(*token);
  if (!sid) return sid.error();
  std::lock_guard lock(mutex_);
  controller_sid_ = *sid;
  return controller_sid_;
}

std::optional<std::string> AccountWithoutSeTcb() {
  Result<UniqueHandle> own = OpenOwnToken();
  if (!own) return std::nullopt;
  Result<std::vector<std::string>> privileges = TokenPrivilegeNames(own->get());
  if (!privileges ||
      std::find(privileges->begin(), privileges->end(), "SeTcbPrivilege") != privileges->end()) {
    return std::nullopt;
  }
  return TokenUserName(own->get());
}

Result<void> FolderOpensAs(HANDLE token, const std::wstring& folder) {
  HANDLE raw = nullptr;
  if (!::DuplicateTokenEx(token, TOKEN_IMPERSONATE | TOKEN_QUERY, nullptr, SecurityImpersonation,
                          TokenImpersonation, &raw)) {
    return Win32Error("making an impersonation token to check the working directory");
  }
  const UniqueHandle impersonation{raw};
  if (!::SetThreadToken(nullptr, impersonation.get()))
    return Win32Error("impersonating the worker's token to check the working directory");
  // No backup semantics beyond what opening a folder needs: the token's own rights decide.
  const UniqueFileHandle opened{
      ::CreateFileW(folder.c_str(), FILE_LIST_DIRECTORY | FILE_TRAVERSE,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                    FILE_FLAG_BACKUP_SEMANTICS, nullptr)};
  const DWORD error = ::GetLastError();
  ::SetThreadToken(nullptr, nullptr);
  if (!opened) return Win32Error("opening its WorkingDirectory " + Narrow(folder), error);
  return Ok();
}

WorkerTokens::WorkerTokens(std::shared_ptr<spdlog::logger> log, std::unique_ptr<AccountLogon> logon)
    : logon_(std::move(logon)), log_(std::move(log)) {}

Result<WorkerToken> WorkerTokens::For(const std::string& worker, const WorkerIdentity& identity) {
  {
    std::lock_guard lock(mutex_);
    if (const auto found = tokens_.find(worker);
        found != tokens_.end() && found->second.identity == identity) {
      return found->second.token;
    }
  }
  const bool supds_account = identity.account.kind == AccountKind::kLocalSystem;
  if (supds_account && !identity.restricted) {
    log_->warn(
        "worker runs with supd's full token name={} (Restricted=0: it can take the machine over; "
        "see docs/security.md)",
        worker);
    std::lock_guard lock(mutex_);
    tokens_[worker] = Made{identity, {}};
    return WorkerToken{};
  }
  WorkerToken made;
  UniqueHandle logged_on;
  HANDLE base = nullptr;
  if (supds_account) {
    Result<HANDLE> supd_token = SupdToken();
    if (!supd_token) return supd_token.error();
    base = *supd_token;
  } else {
    Result<UniqueHandle> account = LogOnAccount(worker, identity);
    if (!account) return account.error();
    logged_on = std::move(*account);
    base = logged_on.get();
  }
  Result<ReducedTokenRequest> request = ReducedTokenRequestFor(base, worker, identity);
  if (!request) return request.error();
  if (!request->kept_but_not_held.empty()) {
    std::string names;
    for (const std::string& name : request->kept_but_not_held)
      names += (names.empty() ? "" : ",") + name;
    log_->warn(
        "worker privileges not kept name={} privileges={} (its account's token does not "
        "hold them)",
        worker, names);
  }
  Result<UniqueHandle> token = MakeReducedToken(base, *request);
  if (!token) return token.error().WithContext("making the reduced token of worker " + worker);
  if (!supds_account) {
    Result<std::vector<std::string>> environment = TokenEnvironment(token->get());
    if (!environment) return environment.error().WithContext("worker " + worker);
    made.environment = std::make_shared<const std::vector<std::string>>(std::move(*environment));
    made.profile = LoadProfile(token->get(), identity.account, worker);
  }
  made.token = std::make_shared<const UniqueHandle>(std::move(*token));
  std::lock_guard lock(mutex_);
  ++made_;
  tokens_[worker] = Made{identity, made};
  return made;
}

Result<UniqueHandle> WorkerTokens::LogOnAccount(const std::string& worker,
                                                const WorkerIdentity& identity) {
  const std::string account = identity.account.ToString();
  // A logon that adds groups takes SeTcbPrivilege, which LocalSystem holds and a virtual or
  // managed account supd might run as does not.
  Result<HANDLE> supd_token = SupdToken();
  if (!supd_token) return supd_token.error();
  Result<std::vector<std::string>> privileges = TokenPrivilegeNames(*supd_token);
  if (privileges &&
      std::find(privileges->begin(), privileges->end(), "SeTcbPrivilege") == privileges->end()) {
    return Error(ErrorKind::kFailedPrecondition,
                 "worker " + worker + " runs as " + account +
                     ", which supd cannot log on: it runs as " + TokenUserName(*supd_token) +
                     ", without SeTcbPrivilege (only a supd running as LocalSystem may run workers "
                     "as other accounts)");
  }
  Result<std::string> logon_sid = NewLogonSid();
  if (!logon_sid) return logon_sid.error();
  LogonRequest request;
  request.user = identity.account.user;
  request.domain = identity.account.domain;
  request.groups = AccountTokenGroups(worker, *logon_sid);
  // A user account: its kept password, or an S4U logon without one. Built-in and managed
  // accounts take none.
  if (identity.account.needs_password()) {
    if (identity.logon_type == LogonType::kS4u) {
      request.s4u = true;
    } else {
      Result<SecretText> password =
          passwords_ ? passwords_(worker)
                     : Result<SecretText>(Error(ErrorKind::kNotFound, "supd keeps no passwords"));
      if (!password) {
        return Error(password.error().kind(),
                     "worker " + worker + " runs as " + account + ": " +
                         password.error().message() +
                         (password.error().kind() == ErrorKind::kNotFound
                              ? " (supctl worker set-password " + worker + ", or LogonType=s4u)"
                              : ""));
      }
      request.password = std::move(*password);
    }
  }
  Result<UniqueHandle> token = logon_->LogOn(request);
  if (!token) return token.error().WithContext("worker " + worker + " runs as " + account);
  return token;
}

std::shared_ptr<const void> WorkerTokens::LoadProfile(HANDLE token, const WorkerAccount& account,
                                                      const std::string& worker) {
  std::wstring user = Widen(account.user);
  PROFILEINFOW profile{};
  profile.dwSize = sizeof(profile);
  profile.dwFlags = PI_NOUI;
  profile.lpUserName = user.data();
  if (!::LoadUserProfileW(token, &profile)) {
    log_->warn("worker profile not loaded name={} account={} reason=\"{}\"", worker,
               account.ToString(), Win32ErrorText(::GetLastError()));
    return nullptr;
  }
  // Unloaded with a token of its own: the worker's may be gone by then.
  HANDLE duplicate = nullptr;
  ::DuplicateHandle(::GetCurrentProcess(), token, ::GetCurrentProcess(), &duplicate, 0, FALSE,
                    DUPLICATE_SAME_ACCESS);
  return std::shared_ptr<const void>(profile.hProfile, [duplicate](const void* key) {
    ::UnloadUserProfile(duplicate, const_cast<void*>(key));
    if (duplicate) ::CloseHandle(duplicate);
  });
}

WorkerToken WorkerTokens::Current(const std::string& worker) const {
  std::lock_guard lock(mutex_);
  const auto found = tokens_.find(worker);
  return found == tokens_.end() ? WorkerToken{} : found->second.token;
}

}  // namespace sup::win
