// What the schema tables' rows share (config_schema.cc: the daemon's and the probes' values;
// worker_schema.cc: a worker's): typed views of a ParsedValue for their apply functions, and the
// durations their ranges are written in. Private to the configuration library.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "common/config/config_schema.h"

namespace sup::config::schema_rows {

inline constexpr std::uint64_t kHourMs = 3'600'000;
inline constexpr std::uint64_t kDayMs = 24 * kHourMs;

inline const std::string& AsString(const ParsedValue& v) { return std::get<std::string>(v); }
inline const std::vector<std::string>& AsList(const ParsedValue& v) {
  return std::get<std::vector<std::string>>(v);
}
inline std::uint64_t AsNumber(const ParsedValue& v) { return std::get<std::uint64_t>(v); }
inline std::uint32_t AsUint32(const ParsedValue& v) {
  return static_cast<std::uint32_t>(AsNumber(v));
}
inline Millis AsMillis(const ParsedValue& v) {
  return Millis(static_cast<Millis::rep>(AsNumber(v)));
}
inline bool AsBool(const ParsedValue& v) { return AsNumber(v) != 0; }
// Choices are listed in the enum's order (config_model.h).
template <typename Enum>
Enum AsChoice(const ParsedValue& v) {
  return static_cast<Enum>(AsNumber(v));
}
inline std::vector<StopStep> AsStopSteps(const ParsedValue& v) {
  std::vector<StopStep> steps;
  for (std::int64_t index : std::get<std::vector<std::int64_t>>(v))
    steps.push_back(static_cast<StopStep>(index));
  return steps;
}

}  // namespace sup::config::schema_rows
