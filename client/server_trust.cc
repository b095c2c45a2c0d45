#include "client/server_trust.h"

#include "common/case_insensitive.h"
#include "common/pipe_names.h"

namespace sup::client {

std::optional<std::string> UntrustedPipeServer(const std::string& pipe_name,
                                               const PipeServer& server) {
  const std::string served_by =
      "\\\\.\\pipe\\" + pipe_name + " is served by " +
      (server.image.empty() ? "a program supctl may not inspect" : server.image) + " (pid " +
      std::to_string(server.pid) + ")";
  const std::size_t slash = server.image.find_last_of("\\/");
  const std::string program =
      slash == std::string::npos ? server.image : server.image.substr(slash + 1);
  if (!EqualsIgnoringCase(program, "supd.exe"))
    return served_by + ", not by supd.exe: its answers are not trusted";
  if (!server.registered_service && !server.same_user) {
    return served_by +
           ", which is neither a registered service nor run by you: its answers are not trusted";
  }
  return std::nullopt;
}

std::optional<std::string> UntrustedPipeOwner(const std::string& pipe_name,
                                              const std::string& owner_sid,
                                              const std::string& own_sid) {
  const std::string pipe = "\\\\.\\pipe\\" + pipe_name;
  if (owner_sid.empty()) return pipe + ": its owner cannot be read, so its answers are not trusted";
  if (owner_sid == "S-1-5-18" || owner_sid == "S-1-5-32-544" || owner_sid == own_sid)
    return std::nullopt;
  const auto under = [&](std::string_view prefix) {
    return StartsWithIgnoringCase(pipe_name, prefix);
  };
  if ((owner_sid == "S-1-5-20" && under(kNetworkServicePipePrefix)) ||
      (owner_sid == "S-1-5-19" && under(kLocalServicePipePrefix))) {
    return std::nullopt;
  }
  return pipe + " is owned by " + owner_sid +
         ", which may not create names under its prefix: its answers are not trusted";
}

}  // namespace sup::client
