// Text that leaves supd (protocol strings, the event log, supd's own log) must be valid UTF-8:
// protobuf refuses to parse a string field that is not, so one byte 0xE9 from a worker would
// make a whole reply unreadable. These functions make any bytes valid UTF-8 and cut UTF-8 text
// without splitting a character. Pure code.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sup {

// U+FFFD REPLACEMENT CHARACTER, as UTF-8.
inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// True when `bytes` is well-formed UTF-8 (no overlong forms, surrogates or values above
// U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

// `bytes` with each maximal invalid subpart replaced by U+FFFD (the Unicode standard's
// recommended practice, as browsers and Python's errors="replace" do); valid text is unchanged.
std::string ToValidUtf8(std::string_view bytes);

// The longest prefix of the valid UTF-8 `text` that has at most `max_bytes` bytes and ends on a
// character boundary.
std::string_view Utf8Prefix(std::string_view text, std::size_t max_bytes);

}  // namespace sup
