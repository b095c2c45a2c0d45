#include "common/worker_token_plan.h"

#include <algorithm>
#include <cstdio>

#include "common/case_insensitive.h"
#include "common/worker_sid.h"

namespace sup {
namespace {

// Access masks, as winnt.h defines them (this file is portable).
constexpr unsigned kSynchronize = 0x00100000;
constexpr unsigned kAllAccess = 0x001FFFFF;  // PROCESS_ALL_ACCESS, THREAD_ALL_ACCESS
constexpr unsigned kProcessTerminate = 0x0001;
constexpr unsigned kProcessQueryLimited = 0x1000;
constexpr unsigned kThreadQueryLimited = 0x0800;

std::string Ace(std::string_view rights, std::string_view sid) {
  return "(A;;" + std::string(rights) + ";;;" + std::string(sid) + ")";
}

std::string Ace(unsigned mask, std::string_view sid) {
  char hex[16];
  std::snprintf(hex, sizeof(hex), "0x%x", mask);
  return Ace(std::string_view(hex), sid);
}

std::string ObjectSddl(std::string_view controller_sid, std::string_view worker, unsigned limited,
                       unsigned administrators) {
  return "D:P" + Ace(kAllAccess, controller_sid) + Ace(kAllAccess, WorkerSid(worker)) +
         Ace(limited, kSystemSid) + Ace(administrators, kAdministratorsSid);
}

}  // namespace

bool ReducedTokenKeeps(const WorkerIdentity& identity, std::string_view privilege) {
  const auto named = [privilege](std::string_view name) {
    return EqualsIgnoringCase(name, privilege);
  };
  return std::any_of(std::begin(kHarmlessPrivileges), std::end(kHarmlessPrivileges), named) ||
         std::any_of(identity.keep_privileges.begin(), identity.keep_privileges.end(), named);
}

bool DenyOnlyInReducedToken(std::string_view group_sid) {
  return group_sid == kAdministratorsSid || group_sid.starts_with("S-1-5-80-");
}

std::vector<std::string> RestrictingSids(std::string_view worker, const WorkerIdentity& identity) {
  const bool own_account = identity.account.kind != AccountKind::kLocalSystem;
  if (own_account && identity.write_access == WriteAccess::kUsers) return {};
  std::vector<std::string> sids{WorkerSid(worker), std::string(kWriteRestrictedSid)};
  if (identity.write_access == WriteAccess::kUsers) sids.emplace_back(kUsersSid);
  return sids;
}

std::string WorkerDefaultDaclSddl(std::string_view worker, std::string_view user_sid) {
  // Generic rights: a default DACL is for every kind of object.
  std::string sddl = "D:" + Ace("GA", kSystemSid);
  if (user_sid != kSystemSid) sddl += Ace("GA", user_sid);
  return sddl + Ace("GA", WorkerSid(worker));
}

std::string SupdProcessSddl() {
  const unsigned limited = kProcessQueryLimited | kSynchronize;
  return "D:P" + Ace(limited, kSystemSid) + Ace(limited | kProcessTerminate, kAdministratorsSid) +
         Ace(limited, "OW");
}

std::string WorkerProcessSddl(std::string_view controller_sid, std::string_view worker) {
  const unsigned limited = kProcessQueryLimited | kSynchronize;
  return ObjectSddl(controller_sid, worker, limited, limited | kProcessTerminate);
}

std::string WorkerThreadSddl(std::string_view controller_sid, std::string_view worker) {
  const unsigned limited = kThreadQueryLimited | kSynchronize;
  return ObjectSddl(controller_sid, worker, limited, limited);
}

std::vector<TokenGroupSpec> AccountTokenGroups(std::string_view worker,
                                               std::string_view logon_sid) {
  return {{WorkerSid(worker), kGroupEnabledMandatory},
          {std::string(kLocalSid), kGroupEnabledMandatory},
          {std::string(logon_sid), kGroupEnabledMandatory | kGroupLogonId}};
}

std::string WorkerDesktopSddl(std::string_view controller_sid,
                              const std::vector<std::string>& worker_sids) {
  std::string sddl =
      "D:P" + Ace("GA", kSystemSid) + Ace("GA", controller_sid) + Ace("GA", kWriteRestrictedSid);
  for (const std::string& sid : worker_sids) sddl += Ace("GA", sid);
  return sddl;
}

}  // namespace sup
