#include "client/terminal_text.h"

#include <cstdio>

namespace sup::client {

std::string EscapeForTerminal(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    const bool crlf = c == '\r' && i + 1 < utf8.size() && utf8[i + 1] == '\n';
    if (c == '\n' || c == '\t' || crlf) {
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += '^';
      out += static_cast<char>(c + 0x40);  // ESC -> ^[, BEL -> ^G, CR -> ^M
    } else if (c == 0x7F) {
      out += "^?";
    } else if (c == 0xC2 && i + 1 < utf8.size() &&
               static_cast<unsigned char>(utf8[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(utf8[i + 1]) <= 0x9F) {
      // U+0080..U+009F, the C1 controls (CSI is U+009B), in UTF-8.
      char code[16];
      std::snprintf(code, sizeof(code), "<U+%04X>", static_cast<unsigned char>(utf8[i + 1]));
      out += code;
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace sup::client
