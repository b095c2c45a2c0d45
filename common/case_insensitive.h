// Case-insensitive comparison of names, as Windows compares registry value names, key names and
// environment variable names: by upper case (which is also how environment blocks are sorted).
#pragma once

#include <algorithm>
#include <cctype>
#include <string_view>

namespace sup {

inline char UpperAscii(char c) {
  return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
}

struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
      return UpperAscii(x) < UpperAscii(y);
    });
  }
};

inline bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return UpperAscii(x) == UpperAscii(y);
         });
}

inline bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoringCase(text.substr(0, prefix.size()), prefix);
}

}  // namespace sup
