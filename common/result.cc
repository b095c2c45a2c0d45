#include "common/result.h"

namespace sup {

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNotFound: return "not found";
    case ErrorKind::kInvalidArgument: return "invalid argument";
    case ErrorKind::kPermissionDenied: return "permission denied";
    case ErrorKind::kFailedPrecondition: return "failed precondition";
    case ErrorKind::kUnavailable: return "unavailable";
    case ErrorKind::kInternal: return "internal error";
    case ErrorKind::kResourceExhausted: return "resource exhausted";
  }
  return "unknown error";
}

}  // namespace sup
