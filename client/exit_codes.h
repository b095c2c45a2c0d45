// supctl's exit codes: part of its contract with scripts (README: the supctl commands).
#pragma once

namespace sup::client {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;          // a command failed
inline constexpr int kExitUsage = 2;            // bad command line
inline constexpr int kExitNotAllRunning = 3;    // status: some worker is not RUNNING
inline constexpr int kExitUnknownOrUnreachable = 4;  // unknown worker, or supd unreachable

}  // namespace sup::client
