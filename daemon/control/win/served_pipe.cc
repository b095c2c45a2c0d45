#include "daemon/control/win/served_pipe.h"

#include "common/win/object_security.h"
#include "common/win/unique_handle.h"

namespace sup::win {

PipeCreator OwnPipeCreator() {
  const std::string user = OwnUserSid();
  if (user == "S-1-5-20") return PipeCreator::kNetworkService;
  if (user == "S-1-5-19") return PipeCreator::kLocalService;
  if (user == "S-1-5-18") return PipeCreator::kAdministrator;
  // An elevated `supd run --console` (and every process under Wine).
  BYTE administrators[SECURITY_MAX_SID_SIZE];
  DWORD size = sizeof(administrators);
  BOOL member = FALSE;
  if (::CreateWellKnownSid(WinBuiltinAdministratorsSid, nullptr, administrators, &size) &&
      ::CheckTokenMembership(nullptr, administrators, &member) && member) {
    return PipeCreator::kAdministrator;
  }
  return PipeCreator::kOther;
}

std::string PipeOwnerSddl(PipeCreator creator) {
  switch (creator) {
    case PipeCreator::kAdministrator: return "O:BA";
    case PipeCreator::kNetworkService: return "O:NS";
    case PipeCreator::kLocalService: return "O:LS";
    case PipeCreator::kOther: break;
  }
  return "";
}

Result<std::unique_ptr<ServedPipe>> ServedPipe::Start(
    boost::asio::io_context& io, PipeServerOptions options, PipeCreator creator,
    const PipeService& service, std::shared_ptr<spdlog::logger> log, NameTaken on_name_taken) {
  std::unique_ptr<ServedPipe> served(new ServedPipe);
  served->owner_sddl_ = PipeOwnerSddl(creator);
  options.sddl = served->owner_sddl_ + options.sddl;
  const std::string well_known = options.pipe_name;
  served->names_ = well_known;
  if (std::optional<std::string> protected_name = ProtectedPipeName(well_known, creator)) {
    PipeServerOptions protected_options = options;
    protected_options.pipe_name = *protected_name;
    Result<std::unique_ptr<PipeServer>> server =
        PipeServer::Start(io, protected_options, service, log);
    if (!server) return server.error();
    served->protected_ = std::move(*server);
    served->names_ += ", " + *protected_name;
    options.wait_for_name = true;
    options.on_name_taken = [on_name_taken, well_known](const std::optional<std::string>& taken) {
      if (on_name_taken) on_name_taken(well_known, taken);
    };
  }
  Result<std::unique_ptr<PipeServer>> server = PipeServer::Start(io, options, service, log);
  if (!server) return server.error();
  served->well_known_ = std::move(*server);
  return served;
}

void ServedPipe::Stop() {
  if (protected_) protected_->Stop();
  well_known_->Stop();
}

Result<void> ServedPipe::SetSecurity(const std::string& sddl) {
  // With the owner: a name taken again later gets the whole descriptor.
  const std::string owned = owner_sddl_ + sddl;
  if (protected_) {
    if (Result<void> set = protected_->SetSecurity(owned); !set) return set;
  }
  return well_known_->SetSecurity(owned);
}

std::string ServedPipe::Names() const { return names_; }

}  // namespace sup::win
