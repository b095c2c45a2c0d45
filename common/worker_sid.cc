#include "common/worker_sid.h"

#include <array>
#include <cctype>
#include <cstdint>

#include "common/sha1.h"

namespace sup {

std::string ServiceNameSid(std::string_view name) {
  std::string utf16le;
  for (const char c : name) {
    utf16le.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    utf16le.push_back('\0');
  }
  const std::array<std::uint8_t, 20> digest = Sha1(utf16le);
  std::string sid = "S-1-5-80";
  for (int i = 0; i < 5; ++i) {
    const std::uint32_t sub_authority = static_cast<std::uint32_t>(digest[4 * i]) |
                                        static_cast<std::uint32_t>(digest[4 * i + 1]) << 8 |
                                        static_cast<std::uint32_t>(digest[4 * i + 2]) << 16 |
                                        static_cast<std::uint32_t>(digest[4 * i + 3]) << 24;
    sid += "-" + std::to_string(sub_authority);
  }
  return sid;
}

std::string WorkerSid(std::string_view worker) {
  return ServiceNameSid("SUP-" + std::string(worker));
}

}  // namespace sup
