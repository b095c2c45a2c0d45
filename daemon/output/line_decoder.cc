#include "daemon/output/line_decoder.h"

#include "common/text_encoding.h"

namespace sup::output {

LineDecoder::LineDecoder(OutputEncoding encoding, const CodePages* code_pages)
    : encoding_(encoding), code_pages_(code_pages) {}

std::string LineDecoder::FromCodePage(std::string_view line, std::uint32_t code_page) const {
  if (!code_pages_ || code_page == kUtf8CodePage) return ToValidUtf8(line);
  // The adapter's conversion should give valid UTF-8 already; what leaves supd must be, whatever
  // a code page table does with unusual bytes.
  return ToValidUtf8(code_pages_->ToUtf8(line, code_page));
}

std::string LineDecoder::Decode(std::string_view line) const {
  using Kind = OutputEncoding::Kind;
  switch (encoding_.kind) {
    case Kind::kAuto:
      if (IsValidUtf8(line)) return std::string(line);
      return FromCodePage(line, code_pages_ ? code_pages_->ansi() : kUtf8CodePage);
    case Kind::kUtf8: return ToValidUtf8(line);
    case Kind::kAnsi: return FromCodePage(line, code_pages_ ? code_pages_->ansi() : kUtf8CodePage);
    case Kind::kOem: return FromCodePage(line, code_pages_ ? code_pages_->oem() : kUtf8CodePage);
    case Kind::kCodePage: return FromCodePage(line, encoding_.code_page);
  }
  return ToValidUtf8(line);
}

}  // namespace sup::output
