// What a worker's token and process descriptors hold, decided here in portable terms (SIDs as
// strings, privileges by name) so that the rules are unit-tested natively; daemon/win/
// worker_token.cc turns them into CreateRestrictedToken's arguments and security descriptors.
// docs/security.md ("Worker identity") says why each rule is there.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/config_model.h"

namespace sup {

inline constexpr std::string_view kSystemSid = "S-1-5-18";
inline constexpr std::string_view kAdministratorsSid = "S-1-5-32-544";
inline constexpr std::string_view kUsersSid = "S-1-5-32-545";
// "Write restricted code": Windows grants it where write-restricted services (the SCM's
// SERVICE_SID_TYPE_RESTRICTED) must write; it is in every write-restricted token the SCM makes.
inline constexpr std::string_view kWriteRestrictedSid = "S-1-5-33";

// The privileges a reduced token keeps whatever KeepPrivileges says: what a standard user's token
// holds and takes nothing over (traverse checking, Global\ objects, working set, time zone).
inline constexpr std::string_view kHarmlessPrivileges[] = {
    "SeChangeNotifyPrivilege", "SeCreateGlobalPrivilege", "SeIncreaseWorkingSetPrivilege",
    "SeTimeZonePrivilege"};

// Whether a reduced token for `identity` keeps `privilege` (a name from kPrivilegeNames; any
// case). Every other privilege of supd's token is deleted, not disabled: a deleted one cannot be
// enabled again by the worker.
bool ReducedTokenKeeps(const WorkerIdentity& identity, std::string_view privilege);

// Whether a group of supd's token becomes deny-only in a reduced token: Administrators (a worker
// is not an administrator: the descriptors below give Administrators what no worker may have) and
// service SIDs (S-1-5-80-..., supd's own: its processes and pipes grant it).
bool DenyOnlyInReducedToken(std::string_view group_sid);

// The restricting SIDs of a reduced token (it is write-restricted: they count for write access
// only): the worker SID and Write Restricted, and for LocalSystem Users unless WriteAccess is
// "own". Another account is write-restricted only with WriteAccess "own" (otherwise it writes
// where the account may): none then.
std::vector<std::string> RestrictingSids(std::string_view worker, const WorkerIdentity& identity);

// The default DACL of a worker token, in SDDL: what the worker creates without a descriptor of
// its own is SYSTEM's, its user's (`user_sid`: supd's account for a reduced token, which is
// SYSTEM unless supd runs as another account) and its worker SID's.
std::string WorkerDefaultDaclSddl(std::string_view worker, std::string_view user_sid);

// supd's own process: SYSTEM, Administrators and its owner (OWNER RIGHTS, so the owner's implicit
// WRITE_DAC is gone too) may only query it and wait for it; Administrators may also terminate it,
// as Task Manager does. No worker holds an enabled Administrators or SYSTEM-granting ACE beyond
// that, so none can terminate supd, read its memory or make it the parent of a process.
std::string SupdProcessSddl();

// A worker's process and its first thread: full access for `controller_sid` (supd's service SID,
// or its account where it has none) and the worker's own SID; SYSTEM may query and wait (a
// reduced worker is SYSTEM: this keeps one worker from another), Administrators also terminate.
std::string WorkerProcessSddl(std::string_view controller_sid, std::string_view worker);
std::string WorkerThreadSddl(std::string_view controller_sid, std::string_view worker);

// A group a logon adds to the token it makes (LogonUserExExW's token groups), with its SE_GROUP_*
// attributes.
struct TokenGroupSpec {
  std::string sid;
  std::uint32_t attributes = 0;
  bool operator==(const TokenGroupSpec&) const = default;
};
// SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED, and SE_GROUP_LOGON_ID.
inline constexpr std::uint32_t kGroupEnabledMandatory = 0x7;
inline constexpr std::uint32_t kGroupLogonId = 0xC0000000;
inline constexpr std::string_view kLocalSid = "S-1-2-0";

// The groups supd adds when it logs an account on for `worker`: its worker SID (mandatory: the
// worker cannot drop it, so what is granted to it is the worker's), and what Windows adds to a
// logon by itself but no longer once groups are passed: LOCAL and the logon SID
// (`logon_sid`, "S-1-5-5-X-Y", new for each logon).
std::vector<TokenGroupSpec> AccountTokenGroups(std::string_view worker, std::string_view logon_sid);

// The window station and desktop the workers run on (not supd's): SYSTEM, supd and Write
// Restricted (a restricting SID of every reduced token, which user32 needs to open them for
// writing as a program starts) have full access, and so do `worker_sids`, the workers that run
// as another account (their token holds neither SYSTEM nor Write Restricted).
std::string WorkerDesktopSddl(std::string_view controller_sid,
                              const std::vector<std::string>& worker_sids = {});

}  // namespace sup
