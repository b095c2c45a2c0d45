// Fakes of the output part's ports.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/output/line_decoder.h"

namespace sup::testing {

// A system whose ANSI code page is 1252 and OEM code page 850, both decoded here as Latin-1 (byte
// n is U+00nn), which is what 1252 does for "é" (0xE9). Records the code pages asked for.
class Latin1CodePages final : public output::CodePages {
 public:
  std::string ToUtf8(std::string_view bytes, std::uint32_t code_page) const override {
    used.push_back(code_page);
    std::string text;
    for (unsigned char byte : bytes) {
      if (byte < 0x80) {
        text += static_cast<char>(byte);
      } else {
        text += static_cast<char>(0xC0 | (byte >> 6));
        text += static_cast<char>(0x80 | (byte & 0x3F));
      }
    }
    return text;
  }
  std::uint32_t ansi() const override { return 1252; }
  std::uint32_t oem() const override { return 850; }
  mutable std::vector<std::uint32_t> used;
};

}  // namespace sup::testing
