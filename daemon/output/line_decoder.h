// Worker output as text: a line's bytes decoded by the worker's OutputEncoding into the UTF-8 that
// leaves supd (supctl logs, describe, events). The log files keep the bytes as written; decoding
// happens only when a line is read out (Tail) or followed, never on the write path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/config/config_model.h"

namespace sup::output {

// The system's code pages (Windows: MultiByteToWideChar; tests: a fake).
class CodePages {
 public:
  virtual ~CodePages() = default;
  // `bytes` in `code_page` as UTF-8; what the code page cannot decode becomes U+FFFD.
  virtual std::string ToUtf8(std::string_view bytes, std::uint32_t code_page) const = 0;
  virtual std::uint32_t ansi() const = 0;  // the system's ANSI code page (GetACP)
  virtual std::uint32_t oem() const = 0;   // the system's OEM code page (GetOEMCP)
};

inline constexpr std::uint32_t kUtf8CodePage = 65001;

class LineDecoder {
 public:
  // Without code pages (portable tests), every encoding decodes as UTF-8.
  LineDecoder() = default;
  explicit LineDecoder(OutputEncoding encoding, const CodePages* code_pages = nullptr);

  // Always valid UTF-8: auto keeps a valid UTF-8 line as it is and decodes any other from the
  // ANSI code page; utf-8 replaces invalid sequences with U+FFFD; the others decode from their
  // code page.
  std::string Decode(std::string_view line) const;

 private:
  std::string FromCodePage(std::string_view line, std::uint32_t code_page) const;

  OutputEncoding encoding_;
  const CodePages* code_pages_ = nullptr;
};

}  // namespace sup::output
