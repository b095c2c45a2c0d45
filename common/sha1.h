// SHA-1 (FIPS 180-4), for the one place Windows itself uses it: the SID of a service name (the
// SCM hashes the name; supd gives each worker a SID the same way). Not for anything that must
// resist collisions.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace sup {

std::array<std::uint8_t, 20> Sha1(std::string_view bytes);

}  // namespace sup
