#include "common/protocol.h"

namespace sup {

std::optional<std::string> UnsupportedProtocolVersion(std::uint32_t version) {
  if (version != 0 && version <= kProtocolVersion) return std::nullopt;
  return "protocol version " + std::to_string(version) +
         " is not supported; this supd speaks 1 to " + std::to_string(kProtocolVersion);
}

sup::v1::Error::Code ToWireCode(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNotFound: return sup::v1::Error::NOT_FOUND;
    case ErrorKind::kInvalidArgument: return sup::v1::Error::INVALID_ARGUMENT;
    case ErrorKind::kPermissionDenied: return sup::v1::Error::PERMISSION_DENIED;
    case ErrorKind::kFailedPrecondition: return sup::v1::Error::FAILED_PRECONDITION;
    case ErrorKind::kUnavailable: return sup::v1::Error::UNAVAILABLE;
    case ErrorKind::kInternal: return sup::v1::Error::INTERNAL;
    case ErrorKind::kResourceExhausted: return sup::v1::Error::RESOURCE_EXHAUSTED;
  }
  return sup::v1::Error::INTERNAL;
}

ErrorKind FromWireCode(sup::v1::Error::Code code) {
  switch (code) {
    case sup::v1::Error::NOT_FOUND: return ErrorKind::kNotFound;
    case sup::v1::Error::INVALID_ARGUMENT: return ErrorKind::kInvalidArgument;
    case sup::v1::Error::PERMISSION_DENIED: return ErrorKind::kPermissionDenied;
    case sup::v1::Error::FAILED_PRECONDITION: return ErrorKind::kFailedPrecondition;
    case sup::v1::Error::UNAVAILABLE: return ErrorKind::kUnavailable;
    case sup::v1::Error::RESOURCE_EXHAUSTED: return ErrorKind::kResourceExhausted;
    default: return ErrorKind::kInternal;  // INTERNAL, UNSPECIFIED, or a code from a newer supd
  }
}

}  // namespace sup
