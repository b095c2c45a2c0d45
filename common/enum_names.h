// Display names of enums kept as arrays indexed by the enum's value (kRestartModeNames, ...).
#pragma once

#include <cstddef>
#include <string_view>

namespace sup {

template <typename Enum, std::size_t N>
constexpr std::string_view NameOf(Enum value, const std::string_view (&names)[N]) {
  return names[static_cast<std::size_t>(value)];
}

}  // namespace sup
