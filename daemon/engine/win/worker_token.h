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

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "common/config/config_model.h"
#include "common/result.h"
#include "common/win/unique_handle.h"
#include "daemon/engine/win/worker_logon.h"

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

// The request for `worker` under `identity`, from `base`: supd's token for a LocalSystem worker,
// the account's as logged on for another (TOKEN_QUERY). Restricted=0 asks for nothing to go.
Result<ReducedTokenRequest> ReducedTokenRequestFor(HANDLE base, const std::string& worker,
                                                   const WorkerIdentity& identity);
// A primary token as `request` says, derived from `base` (opened as OpenOwnToken does, or
// logged on).
Result<UniqueHandle> MakeReducedToken(HANDLE base, const ReducedTokenRequest& request);

// Whether a process with `token` could start in `folder`: opened for listing and traversal while
// this thread impersonates the token. CreateProcessAsUserW would otherwise fail with "The
// directory name is invalid" for a folder the account may not open, which names neither.
Result<void> FolderOpensAs(HANDLE token, const std::wstring& folder);

// The account supd runs as when its token lacks SeTcbPrivilege (its virtual account, a gMSA), so
// that it cannot log other accounts on; nullopt when it holds it (LocalSystem) or the token
// cannot be read (the logon then says why).
std::optional<std::string> AccountWithoutSeTcb();

// supd's own primary token, with the rights that deriving worker tokens from it takes.
Result<UniqueHandle> OpenOwnToken();

// The SID to which every worker process grants full access besides its own worker SID: supd's
// service SID (an enabled S-1-5-80- group of its token, as the SCM gives a service whose SID type
// is unrestricted), else the user it runs as (Wine gives services no service SID).
Result<std::string> ControllerSid(HANDLE supd_token);

// Gives supd's own process SupdProcessSddl: no worker may terminate it, read its memory or make
// it the parent of a process.
Result<void> ProtectOwnProcess();

// What a worker's processes run with.
struct WorkerToken {
  std::shared_ptr<const UniqueHandle> token;  // null: supd's own
  // The environment Windows made for the worker's account (before its Environment value); null:
  // supd's.
  std::shared_ptr<const std::vector<std::string>> environment;
  // The account's profile, loaded while anything holds this (UnloadUserProfile at the end).
  std::shared_ptr<const void> profile;
};

// One token per worker definition. For runs on file workers (a logon and a profile may take their
// time; the start tasks of one worker run one at a time), the rest on the io thread: the map is
// kept under a lock held only to look up or store, never while a token is made.
class WorkerTokens {
 public:
  // supd's token is opened at the first token made; accounts are logged on with `logon`.
  WorkerTokens(std::shared_ptr<spdlog::logger> log, std::unique_ptr<AccountLogon> logon);

  // The token for `worker`'s processes under `identity`: made at the first call and again once
  // `identity` changes, else the one made before. A null token (no error) when a LocalSystem
  // worker is not Restricted: it runs with supd's token, and a warning says so once per
  // definition. An account that cannot be logged on is an error naming it and the system's
  // reason.
  Result<WorkerToken> For(const std::string& worker, const WorkerIdentity& identity);
  // What was last handed out for `worker` (a null token when none, or supd's).
  WorkerToken Current(const std::string& worker) const;
  // For tests: accounts are logged on with `logon` from now on.
  void SetLogon(std::unique_ptr<AccountLogon> logon) { logon_ = std::move(logon); }
  // Where the passwords of user accounts come from (PasswordVault::Reveal); set before the first
  // launch. Without it, a user account with LogonType=service cannot be logged on.
  using PasswordSource = std::function<Result<SecretText>(const std::string& worker)>;
  void SetPasswords(PasswordSource passwords) { passwords_ = std::move(passwords); }
  void Forget(const std::string& worker) {
    std::lock_guard lock(mutex_);
    tokens_.erase(worker);
  }
  // Tokens made so far, for tests: one per definition, not per launch.
  std::size_t made() const {
    std::lock_guard lock(mutex_);
    return made_;
  }
  // ControllerSid of supd's token, read once.
  Result<std::string> controller_sid();

 private:
  struct Made {
    WorkerIdentity identity;
    WorkerToken token;
  };
  Result<HANDLE> SupdToken();
  // The token of a worker that runs as another account than supd's, as logged on.
  Result<UniqueHandle> LogOnAccount(const std::string& worker, const WorkerIdentity& identity);
  // Loads the account's profile for `token`; null (and a warning) if it cannot be.
  std::shared_ptr<const void> LoadProfile(HANDLE token, const WorkerAccount& account,
                                          const std::string& worker);
  std::unique_ptr<AccountLogon> logon_;
  PasswordSource passwords_;
  UniqueHandle supd_token_;
  std::string controller_sid_;
  std::shared_ptr<spdlog::logger> log_;
  mutable std::mutex mutex_;  // tokens_, made_, supd_token_, controller_sid_
  std::map<std::string, Made> tokens_;
  std::size_t made_ = 0;
};

}  // namespace sup::win
