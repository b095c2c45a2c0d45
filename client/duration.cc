#include "client/duration.h"

#include <charconv>
#include <string>

namespace sup::client {

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  const auto invalid = [&text] {
    return Error(ErrorKind::kInvalidArgument,
                 "duration \"" + std::string(text) +
                     "\" is not a whole number followed by ms, s or m (e.g. 30s)");
  };
  long long number = 0;
  const auto [end, parse_error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (parse_error != std::errc() || number < 0) return invalid();
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  constexpr long long kMaxSeconds = 7LL * 24 * 3600;  // a week: anything longer is a typo
  long long milliseconds = 0;
  if (unit == "ms") {
    milliseconds = number;
  } else if (unit == "s" || unit.empty()) {
    if (number > kMaxSeconds) return invalid();
    milliseconds = number * 1000;
  } else if (unit == "m") {
    if (number > kMaxSeconds / 60) return invalid();
    milliseconds = number * 60 * 1000;
  } else {
    return invalid();
  }
  if (milliseconds > kMaxSeconds * 1000) return invalid();
  return std::chrono::milliseconds(milliseconds);
}

}  // namespace sup::client
