// Where supd's pipes are, and where supctl looks for them. A well-known name such as
// \\.\pipe\sup-control can be created by any local user while supd is down (a crash restart, an
// upgrade): whoever holds it answers clients in supd's name. The named-pipe file system lets only
// members of the Administrators group create names under the prefix
// \\.\pipe\ProtectedPrefix\Administrators (and only NetworkService, LocalService under their own
// prefixes): supd serves each pipe there too, and supctl looks there first. Microsoft does not
// document the prefixes; WireGuard, Tailscale and containerd's shims rely on them, and supctl also
// checks the pipe's owner. Wine ignores them (any process may create any name): only real Windows
// enforces the prefix.
// Portable string code, unit-tested natively.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sup {

inline constexpr std::string_view kAdministratorsPipePrefix = "ProtectedPrefix\\Administrators\\";
inline constexpr std::string_view kNetworkServicePipePrefix = "ProtectedPrefix\\NetworkService\\";
inline constexpr std::string_view kLocalServicePipePrefix = "ProtectedPrefix\\LocalService\\";

// The pipes' names (without the \\.\pipe\ prefix) for an instance prefix: "sup" gives
// sup-control and sup-health; tests and side-by-side instances use their own prefix.
inline constexpr std::string_view kDefaultPipePrefix = "sup";
inline std::string ControlPipeName(std::string_view prefix = kDefaultPipePrefix) {
  return std::string(prefix) + "-control";
}
inline std::string HealthPipeName(std::string_view prefix = kDefaultPipePrefix) {
  return std::string(prefix) + "-health";
}

// CreateNamedPipe takes at most 256 characters for a whole name, \\.\pipe\ included: a pipe's
// own name has 247. supd serves its pipes under a protected prefix too (up to 31 characters more),
// so the names it serves are shorter: ControlPipe, HealthPipe, and --pipe-prefix with "-control".
inline constexpr std::size_t kMaxPipeNameChars = 247;
inline constexpr std::size_t kMaxServedPipeNameChars =
    kMaxPipeNameChars -
    std::max({kAdministratorsPipePrefix.size(), kNetworkServicePipePrefix.size(),
              kLocalServicePipePrefix.size()});

// The one rule for a pipe name as in \\.\pipe\<name>: 1 to `max_chars` characters, no
// backslash. What is wrong with `name` ("\"a\\b\" contains a backslash"), or nullopt.
std::optional<std::string> PipeNameProblem(std::string_view name,
                                           std::size_t max_chars = kMaxPipeNameChars);

// supd's --pipe-prefix: letters, digits, '.', '_' and '-', short enough that <prefix>-control and
// <prefix>-health are names supd can serve. What is wrong with `prefix`, or nullopt.
std::optional<std::string> PipePrefixProblem(std::string_view prefix);

// The account supd runs as, for the prefix it may create names under.
enum class PipeCreator {
  kAdministrator,   // SYSTEM, or a token with Administrators enabled (supd run --console, elevated)
  kNetworkService,  // S-1-5-20
  kLocalService,    // S-1-5-19
  kOther,           // a virtual account, a gMSA, a user: no prefix of its own
};

// The protected name of `pipe_name` ("sup-control") for supd running as `creator`
// ("ProtectedPrefix\\Administrators\\sup-control"), or nullopt when that account has none: supd
// then serves only the well-known name, and refuses to start while another process holds it.
std::optional<std::string> ProtectedPipeName(std::string_view pipe_name, PipeCreator creator);

// The pipes supctl tries, in order, for `given` (--pipe, or the default): for a plain instance name
// ("sup-control"), its protected names, then the well-known name; a name given with its prefix
// ("\\\\.\\pipe\\sup-control", or one holding a backslash) is taken exactly as given. Without the
// \\.\pipe\ prefix.
std::vector<std::string> PipeNamesToTry(std::string_view given);

// Whether `pipe_name` lies under a protected prefix (supctl then checks the pipe's owner).
bool IsProtectedPipeName(std::string_view pipe_name);

// The instance name of a pipe name: "ProtectedPrefix\\Administrators\\sup-control" and
// "\\\\.\\pipe\\sup-control" -> "sup-control".
std::string InstancePipeName(std::string_view pipe_name);

}  // namespace sup
