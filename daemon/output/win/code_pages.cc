#include "daemon/output/win/code_pages.h"

#include <windows.h>

#include "common/text_encoding.h"
#include "common/win/text.h"

namespace sup::win {

std::string WindowsCodePages::ToUtf8(std::string_view bytes, std::uint32_t code_page) const {
  if (bytes.empty()) return {};
  // Without MB_ERR_INVALID_CHARS, bytes the code page has no character for become its default
  // character (or U+FFFD) instead of failing the whole line.
  const int size = static_cast<int>(bytes.size());
  const int wide = ::MultiByteToWideChar(code_page, 0, bytes.data(), size, nullptr, 0);
  if (wide <= 0) return ToValidUtf8(bytes);  // an unknown code page: UTF-8 with replacement
  std::wstring text(static_cast<std::size_t>(wide), L'\0');
  ::MultiByteToWideChar(code_page, 0, bytes.data(), size, text.data(), wide);
  return Narrow(text);
}

std::uint32_t WindowsCodePages::ansi() const { return ::GetACP(); }
std::uint32_t WindowsCodePages::oem() const { return ::GetOEMCP(); }

const output::CodePages& SystemCodePages() {
  static const WindowsCodePages code_pages;
  return code_pages;
}

bool IsKnownCodePage(std::uint32_t code_page) { return ::IsValidCodePage(code_page) != FALSE; }

}  // namespace sup::win
