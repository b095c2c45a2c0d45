// supctl's exit codes: part of its contract with scripts (README: the supctl commands).
#pragma once

#include "common/result.h"

namespace sup::client {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;               // a command failed
inline constexpr int kExitUsage = 2;                 // bad command line
inline constexpr int kExitNotAllRunning = 3;         // status: some worker is not RUNNING
inline constexpr int kExitUnknownOrUnreachable = 4;  // unknown worker, or supd unreachable

// The one mapping from a failure to the exit code: a bad argument is a usage error, something
// that does not exist (a worker, a service) or cannot be reached (supd) is 4, anything else 1.
inline int ExitCodeFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument: return kExitUsage;
    case ErrorKind::kNotFound:
    case ErrorKind::kUnavailable:
    case ErrorKind::kResourceExhausted: return kExitUnknownOrUnreachable;
    case ErrorKind::kPermissionDenied:
    case ErrorKind::kFailedPrecondition:
    case ErrorKind::kInternal: return kExitFailure;
  }
  return kExitFailure;
}

}  // namespace sup::client
