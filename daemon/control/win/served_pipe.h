// One of supd's pipes under each name it is served by. The protected name
// (ProtectedPrefix\Administrators\sup-control, for supd's account: common/pipe_names.h) is the one
// supd must have: only administrators can create it, so nobody took it first, and supctl looks
// there first. The well-known name (sup-control) stays for older clients and scripts: a process
// holding it no longer keeps supd from starting; it is warned about (log and event log, naming
// its pid and program) and the name is served as soon as it is free. An account with no prefix
// (a virtual account, a gMSA, a user) serves the well-known name alone, as the one it must have.
//
// Threading: as PipeServer (both servers run on the same io_context).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/pipe_names.h"
#include "common/result.h"
#include "daemon/control/win/pipe_server.h"

namespace sup::win {

// The prefix supd's own account may create pipe names under.
PipeCreator OwnPipeCreator();

// The owner supd gives its pipes, as SDDL ("O:BA"), for `creator`: the account the protected
// prefix belongs to, which is what supctl checks (left to the system, an owner could be the
// creator's primary group: Wine's is S-1-5-21-0-0-0-513). "" for an account with no prefix.
std::string PipeOwnerSddl(PipeCreator creator);

class ServedPipe {
 public:
  // Serves `options.pipe_name` (the well-known name) and, for `creator`, its protected name.
  // `on_name_taken` hears why the well-known name is waited for, and nullopt once it is served
  // (supd's event log and status).
  using NameTaken =
      std::function<void(const std::string& pipe, const std::optional<std::string>& taken)>;
  static Result<std::unique_ptr<ServedPipe>> Start(boost::asio::io_context& io,
                                                   PipeServerOptions options, PipeCreator creator,
                                                   const PipeService& service,
                                                   std::shared_ptr<spdlog::logger> log,
                                                   NameTaken on_name_taken);

  void Stop();
  Result<void> SetSecurity(const std::string& sddl);
  // "sup-control, ProtectedPrefix\Administrators\sup-control" for the log.
  std::string Names() const;

 private:
  std::unique_ptr<PipeServer> protected_;  // none when supd's account has no prefix
  std::unique_ptr<PipeServer> well_known_;
  std::string owner_sddl_;  // PipeOwnerSddl, before every descriptor
  std::string names_;
};

}  // namespace sup::win
