// Constants and conversions of the sup.v1 protocol shared by supd and its clients.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/pipe_names.h"  // the pipes' names, which every client of the protocol needs
#include "common/result.h"
#include "sup/v1/control.pb.h"

namespace sup {

// The protocol version this build speaks; requests carry it, supd refuses newer ones.
inline constexpr std::uint32_t kProtocolVersion = 1;

// Why supd cannot answer a request of protocol `version`, or nullopt if it can.
std::optional<std::string> UnsupportedProtocolVersion(std::uint32_t version);

sup::v1::Error::Code ToWireCode(ErrorKind kind);
ErrorKind FromWireCode(sup::v1::Error::Code code);

}  // namespace sup
