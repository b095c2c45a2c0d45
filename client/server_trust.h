// Whether the process serving supd's pipe may answer in supd's name. Anyone who can create an
// instance of the pipe name first (or who finds supd stopped) could serve it and tell monitoring,
// scripts and `supctl service start`'s verification whatever they like; supctl believes only a
// program named supd.exe that is a running service (only an administrator can register one) or
// that runs as the very user running supctl (`supd run --console`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sup::client {

// What supctl found out about the process at the other end of the pipe.
struct PipeServer {
  std::uint32_t pid = 0;
  std::string image;                // full path of its program; "" if it could not be read
  bool registered_service = false;  // it is the process of a running Windows service
  bool same_user = false;           // it runs as the user running supctl
};

// Why `server` may not be trusted, for people: "\\.\pipe\sup-control is served by
// C:\Users\mallory\evil.exe (pid 4242), not by supd.exe: its answers are not trusted"; nullopt
// when it may be.
std::optional<std::string> UntrustedPipeServer(const std::string& pipe_name,
                                               const PipeServer& server);

}  // namespace sup::client
