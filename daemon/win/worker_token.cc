#include "daemon/win/worker_token.h"

#include <sddl.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/case_insensitive.h"
#include "common/win/object_security.h"
#include "common/win/token_info.h"
#include "common/win/win32_error.h"
#include "common/worker_token_plan.h"

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

Result<ReducedTokenRequest> ReducedTokenRequestFor(HANDLE supd_token, const std::string& worker,
                                                   const WorkerIdentity& identity) {
  Result<std::vector<TokenGroup>> groups = TokenGroupsOf(supd_token);
  if (!groups) return groups.error();
  Result<std::vector<std::string>> privileges = TokenPrivilegeNames(supd_token);
  if (!privileges) return privileges.error();
  ReducedTokenRequest request;
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
  const std::string user = TokenUserSid(supd_token);
  if (user.empty()) return Error(ErrorKind::kInternal, "reading the user of supd's token");
  request.default_dacl = WorkerDefaultDaclSddl(worker, user);
  return request;
}

Result<UniqueHandle> MakeReducedToken(HANDLE supd_token, const ReducedTokenRequest& request) {
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
  if (!::CreateRestrictedToken(supd_token, request.flags, deny_only.count(), deny_only.get(),
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
  if (!supd_token_) {
    Result<UniqueHandle> opened = OpenOwnToken();
    if (!opened) return opened.error();
    supd_token_ = std::move(*opened);
  }
  return supd_token_.get();
}

Result<std::string> WorkerTokens::controller_sid() {
  if (controller_sid_.empty()) {
    Result<HANDLE> token = SupdToken();
    if (!token) return token.error();
    Result<std::string> sid = ControllerSid(*token);
    if (!sid) return sid.error();
    controller_sid_ = *sid;
  }
  return controller_sid_;
}

Result<std::shared_ptr<const UniqueHandle>> WorkerTokens::For(const std::string& worker,
                                                              const WorkerIdentity& identity) {
  if (const auto found = tokens_.find(worker);
      found != tokens_.end() && found->second.identity == identity) {
    return found->second.token;
  }
  tokens_.erase(worker);
  if (!identity.restricted) {
    log_->warn(
        "worker runs with supd's full token name={} (Restricted=0: it can take the machine over; "
        "see docs/security.md)",
        worker);
    tokens_[worker] = Made{identity, nullptr};
    return std::shared_ptr<const UniqueHandle>{};
  }
  Result<HANDLE> supd_token = SupdToken();
  if (!supd_token) return supd_token.error();
  Result<ReducedTokenRequest> request = ReducedTokenRequestFor(*supd_token, worker, identity);
  if (!request) return request.error();
  if (!request->kept_but_not_held.empty()) {
    std::string names;
    for (const std::string& name : request->kept_but_not_held)
      names += (names.empty() ? "" : ",") + name;
    log_->warn("worker privileges not kept name={} privileges={} (supd's token does not hold them)",
               worker, names);
  }
  Result<UniqueHandle> token = MakeReducedToken(*supd_token, *request);
  if (!token) return token.error().WithContext("making the reduced token of worker " + worker);
  ++made_;
  auto shared = std::make_shared<const UniqueHandle>(std::move(*token));
  tokens_[worker] = Made{identity, shared};
  return std::shared_ptr<const UniqueHandle>{shared};
}

std::shared_ptr<const UniqueHandle> WorkerTokens::Current(const std::string& worker) const {
  const auto found = tokens_.find(worker);
  return found == tokens_.end() ? nullptr : found->second.token;
}

}  // namespace sup::win
