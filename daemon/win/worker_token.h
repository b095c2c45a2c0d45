// The tokens workers run with (docs/security.md, "Worker identity"). A worker that keeps supd's
// account gets a reduced copy of supd's token, made with CreateRestrictedToken from the rules of
// common/worker_token_plan.h; WorkerTokens makes one per worker definition and hands it to every
// launch and exec probe of that worker until the definition changes.
//
// Under Wine (measured, Wine 8.0): CreateRestrictedToken deletes the privileges and marks the
// groups deny-only, SetTokenInformation sets the default DACL, and all of it reads back, but a
// token's restricting SIDs cannot be read (TokenRestrictedSids fails) and are not enforced; so
// the request below is the seam tests read for them.
#pragma once

#include <windows.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/config/config_model.h"
#include "common/result.h"
#include "common/win/unique_handle.h"

namespace spdlog {
class logger;
}

namespace sup::win {

// What CreateRestrictedToken is asked for one worker, in readable form.
struct ReducedTokenRequest {
  DWORD flags = WRITE_RESTRICTED;
  std::vector<std::string> deny_only;           // SIDs of supd's groups, made deny-only
  std::vector<std::string> deleted_privileges;  // names, of the privileges supd's token holds
  std::vector<std::string> restricting_sids;
  std::string default_dacl;                    // SDDL, set on the new token
  std::vector<std::string> kept_but_not_held;  // KeepPrivileges supd's token does not hold
};

// The request for `worker` under `identity`, from supd's token (TOKEN_QUERY).
Result<ReducedTokenRequest> ReducedTokenRequestFor(HANDLE supd_token, const std::string& worker,
                                                   const WorkerIdentity& identity);
// A primary token as `request` says, derived from `supd_token` (opened as OpenOwnToken does).
Result<UniqueHandle> MakeReducedToken(HANDLE supd_token, const ReducedTokenRequest& request);

// supd's own primary token, with the rights that deriving worker tokens from it takes.
Result<UniqueHandle> OpenOwnToken();

// The SID to which every worker process grants full access besides its own worker SID: supd's
// service SID (an enabled S-1-5-80- group of its token, as the SCM gives a service whose SID type
// is unrestricted), else the user it runs as (Wine gives services no service SID).
Result<std::string> ControllerSid(HANDLE supd_token);

// Gives supd's own process SupdProcessSddl: no worker may terminate it, read its memory or make
// it the parent of a process.
Result<void> ProtectOwnProcess();

// One token per worker definition.
class WorkerTokens {
 public:
  // supd's token is opened at the first token made.
  explicit WorkerTokens(std::shared_ptr<spdlog::logger> log) : log_(std::move(log)) {}

  // The token for `worker`'s processes under `identity`: made at the first call and again once
  // `identity` changes, else the one made before. nullptr (no error) when the worker is not
  // Restricted: it runs with supd's token, and a warning says so once per definition.
  Result<std::shared_ptr<const UniqueHandle>> For(const std::string& worker,
                                                  const WorkerIdentity& identity);
  // The token last handed out for `worker` (nullptr when none, or when it runs with supd's).
  std::shared_ptr<const UniqueHandle> Current(const std::string& worker) const;
  void Forget(const std::string& worker) { tokens_.erase(worker); }
  // Tokens made so far, for tests: one per definition, not per launch.
  std::size_t made() const { return made_; }
  // ControllerSid of supd's token, read once.
  Result<std::string> controller_sid();

 private:
  struct Made {
    WorkerIdentity identity;
    std::shared_ptr<const UniqueHandle> token;
  };
  Result<HANDLE> SupdToken();
  UniqueHandle supd_token_;
  std::string controller_sid_;
  std::shared_ptr<spdlog::logger> log_;
  std::map<std::string, Made> tokens_;
  std::size_t made_ = 0;
};

}  // namespace sup::win
