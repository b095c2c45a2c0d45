#include "client/server_trust.h"

#include "common/case_insensitive.h"

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

}  // namespace sup::client
