// The system's code pages for decoding worker output (output::CodePages): MultiByteToWideChar
// from the code page, WideCharToMultiByte to UTF-8.
#pragma once

#include "daemon/output/line_decoder.h"

namespace sup::win {

class WindowsCodePages final : public output::CodePages {
 public:
  std::string ToUtf8(std::string_view bytes, std::uint32_t code_page) const override;
  std::uint32_t ansi() const override;
  std::uint32_t oem() const override;
};

// The one instance the captures share (it holds no state).
const output::CodePages& SystemCodePages();

// Whether the system knows `code_page` (IsValidCodePage): an OutputEncoding naming one it does
// not know decodes as UTF-8, and supd says so when it starts the capture.
bool IsKnownCodePage(std::uint32_t code_page);

}  // namespace sup::win
