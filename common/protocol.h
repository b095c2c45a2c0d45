// Constants and conversions of the sup.v1 protocol shared by supd and its clients.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "sup/v1/control.pb.h"

namespace sup {

// The protocol version this build speaks; requests carry it, supd refuses newer ones.
inline constexpr std::uint32_t kProtocolVersion = 1;

// The pipes' names (without the \\.\pipe\ prefix) for an instance prefix: "sup" gives
// sup-control and sup-health; tests and side-by-side instances use their own prefix.
inline constexpr std::string_view kDefaultPipePrefix = "sup";
inline std::string ControlPipeName(std::string_view prefix = kDefaultPipePrefix) {
  return std::string(prefix) + "-control";
}
inline std::string HealthPipeName(std::string_view prefix = kDefaultPipePrefix) {
  return std::string(prefix) + "-health";
}

// Why supd cannot answer a request of protocol `version`, or nullopt if it can.
std::optional<std::string> UnsupportedProtocolVersion(std::uint32_t version);

sup::v1::Error::Code ToWireCode(ErrorKind kind);
ErrorKind FromWireCode(sup::v1::Error::Code code);

}  // namespace sup
