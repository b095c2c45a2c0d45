// The account a worker runs as, as an admin writes it in the worker's Account value (docs/
// security.md, "Worker identity"). Every form is read here; the schema takes LocalSystem,
// LocalService and NetworkService, and refuses the forms that need a password or a managed
// account until supd keeps passwords.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace sup {

enum class AccountKind {
  kLocalSystem,     // supd's own account (with the reduced token unless Restricted=0)
  kLocalService,    // NT AUTHORITY\LocalService: logged on by supd, no password
  kNetworkService,  // NT AUTHORITY\NetworkService: the same, with the computer's network identity
  kUser,            // .\name or DOMAIN\name (or name@domain): a password supd keeps, or s4u
  kGroupManaged,    // DOMAIN\name$: a group managed service account, no password
};

struct WorkerAccount {
  AccountKind kind = AccountKind::kLocalSystem;
  std::string domain;  // "NT AUTHORITY", "." for the local machine, "CORP"; "" for a UPN
  std::string user;    // "LocalService", "svc-web", "gmsa-web$", "svc@corp.example"
  // As LogonUser and the SCM write it: "NT AUTHORITY\LocalService", ".\svc-web", "CORP\gmsa$".
  std::string ToString() const;
  // Whether supd must keep a password to log it on (only kUser).
  bool needs_password() const { return kind == AccountKind::kUser; }
  bool operator==(const WorkerAccount&) const = default;
};

// "" and "LocalSystem" (any case; also "NT AUTHORITY\SYSTEM", ".\LocalSystem"), "LocalService",
// "NetworkService" (bare or under NT AUTHORITY), ".\name", "DOMAIN\name", "DOMAIN\name$",
// "name@domain". A bare "name" is refused (a local account is ".\name"), as are characters no
// Windows account name holds; the error says what was expected.
Result<WorkerAccount> ParseWorkerAccount(std::string_view text);

}  // namespace sup
