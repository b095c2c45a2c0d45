// Who is calling on a pipe, from the client's token (README: "Each control verb is authorised from
// the caller's token"): SYSTEM and Administrators are administrators, members of OperatorsGroup are
// operators, anyone else has no role. Also the DACLs of the two pipes, in SDDL.
//
// Wine runs every process with one administrator token and enforces no DACL, so under Wine
// every caller comes out an administrator; the refusals themselves are unit-tested in core.
#pragma once

#include <windows.h>

#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/win/pipe_client.h"
#include "daemon/control/authorization.h"
#include "daemon/control/connection_quota.h"

namespace sup::win {

// An SDDL access-allowed entry granting kPipeClientRights to `sid` ("AU", "S-1-5-32-547").
std::string PipeClientAce(const std::string& sid);

// SYSTEM, Administrators and supd's own account (`supd_sid`, when it is not SYSTEM: it creates
// the further instances of its pipes, which takes FILE_CREATE_PIPE_INSTANCE) full control, as a
// protected DACL.
std::string SupdPipeSddl(const std::string& supd_sid);

// SupdPipeSddl, and any authenticated user may read and write data (the health verbs are
// read-only).
std::string HealthPipeSddl(const std::string& supd_sid);

// Ends the impersonation of a pipe client (`revert`, RevertToSelf). If that fails, the thread
// would go on with the client's token, so supd ends instead (`terminate`: the process exits with
// ERROR_CANNOT_IMPERSONATE, and the SCM's failure actions start it again).
void TerminateSupd();
void RevertOrTerminate(BOOL(WINAPI* revert)() = &::RevertToSelf,
                       void (*terminate)() = &TerminateSupd);

// The account of the process at the client end of `pipe`, read from its process token as soon as
// it has connected (before it has written anything, so no impersonation): for the connection
// quota. SYSTEM and members of Administrators (not a UAC-filtered token) are administrators.
// Empty SID when the process cannot be examined (it has exited, say): such clients share one share.
control::ClientAccount ClientAccountOf(HANDLE pipe);

// Whether the client at the other end of `pipe` runs inside a worker's job: `in_a_workers_job`
// is asked of its process (JobLauncher::InAWorkersJob). A client whose process cannot be opened
// counts as one (fail closed: it only loses what its token would give beyond its account).
bool ClientIsAWorker(HANDLE pipe, const std::function<bool(HANDLE process)>& in_a_workers_job);

class CallerIdentity {
 public:
  // `operators_group`: a group's name ("SupOperators", "DOMAIN\\Ops") or SID ("S-1-5-32-547");
  // empty for none. An unknown group is an error that names it. `supd_sid`: the account supd runs
  // as, for ControlPipeSddl.
  static Result<CallerIdentity> Create(const std::string& operators_group,
                                       const std::string& supd_sid = "S-1-5-18");

  // The role of the client of `pipe`, which must have written to it already. A client whose
  // token cannot be read has no role. A worker (`from_a_worker`: ClientIsAWorker) is never an
  // administrator, whatever its token says (a reduced worker is SYSTEM, a Restricted=0 one
  // holds Administrators): it is an operator if its account is in the operators group.
  control::Caller Identify(HANDLE pipe, bool from_a_worker = false) const;

  // SupdPipeSddl, and the operators group (if any) may read and write data.
  std::string ControlPipeSddl() const;

 private:
  std::vector<BYTE> operators_sid_;  // empty: no operators group
  std::string supd_sid_;
};

}  // namespace sup::win
