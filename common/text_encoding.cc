#include "common/text_encoding.h"

namespace sup {
namespace {

// The length of the well-formed UTF-8 sequence at the start of `bytes`, or 0 if there is none.
// When there is none, `*invalid` is the length of the maximal subpart to replace (at least 1).
// Table 3-7 of the Unicode standard: the second byte's range depends on the first.
std::size_t SequenceLength(std::string_view bytes, std::size_t* invalid) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  const unsigned char first = byte(0);
  if (first < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;
  if (first >= 0xC2 && first <= 0xDF) {
    length = 2;
  } else if (first >= 0xE0 && first <= 0xEF) {
    length = 3;
    if (first == 0xE0) low = 0xA0;   // no overlong forms
    if (first == 0xED) high = 0x9F;  // no surrogates
  } else if (first >= 0xF0 && first <= 0xF4) {
    length = 4;
    if (first == 0xF0) low = 0x90;   // no overlong forms
    if (first == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    *invalid = 1;  // a continuation byte, C0, C1 or F5..FF
    return 0;
  }
  for (std::size_t i = 1; i < length; ++i) {
    const bool in_range =
        i < bytes.size() && byte(i) >= (i == 1 ? low : 0x80) && byte(i) <= (i == 1 ? high : 0xBF);
    if (!in_range) {
      *invalid = i;  // the lead byte and the continuation bytes that fit so far
      return 0;
    }
  }
  return length;
}

}  // namespace

bool IsValidUtf8(std::string_view bytes) {
  std::size_t invalid = 0;
  while (!bytes.empty()) {
    // ASCII runs are the common case: skip them a byte at a time without the table.
    if (static_cast<unsigned char>(bytes.front()) < 0x80) {
      bytes.remove_prefix(1);
      continue;
    }
    const std::size_t length = SequenceLength(bytes, &invalid);
    if (length == 0) return false;
    bytes.remove_prefix(length);
  }
  return true;
}

std::string ToValidUtf8(std::string_view bytes) {
  if (IsValidUtf8(bytes)) return std::string(bytes);
  std::string text;
  text.reserve(bytes.size() + 8);
  while (!bytes.empty()) {
    std::size_t invalid = 0;
    const std::size_t length = SequenceLength(bytes, &invalid);
    if (length > 0) {
      text.append(bytes.substr(0, length));
      bytes.remove_prefix(length);
    } else {
      text.append(kReplacementCharacter);
      bytes.remove_prefix(invalid);
    }
  }
  return text;
}

std::string_view Utf8Prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  // Back off continuation bytes (10xxxxxx) so the cut falls before a character's first byte.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace sup
