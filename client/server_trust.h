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

// Why a pipe under a protected prefix (ProtectedPrefix\Administrators\...) whose owner is
// `owner_sid` may not be trusted, or nullopt: Windows lets only administrators (or NetworkService,
// LocalService under their own prefixes) create names there, and the creator owns the pipe, so its
// owner must be SYSTEM, Administrators, that service account, or the user running supctl
// (`own_sid`: an elevated `supd run --console`; and every process under Wine, which ignores the
// prefixes). As WireGuard's client checks its tunnel pipes. An owner that cannot be read ("") is
// not trusted.
std::optional<std::string> UntrustedPipeOwner(const std::string& pipe_name,
                                              const std::string& owner_sid,
                                              const std::string& own_sid);

}  // namespace sup::client
