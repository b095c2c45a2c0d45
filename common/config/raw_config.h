// The configuration as a ConfigSource reads it, before validation: registry-shaped typed values.
// Value and key names compare case-insensitively, as the registry's do.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/case_insensitive.h"

namespace sup::config {

enum class RawType { kString, kExpandString, kMultiString, kDword, kQword, kOther };

struct RawValue {
  RawType type = RawType::kString;
  std::string text;               // kString, kExpandString (already expanded by the source)
  std::vector<std::string> list;  // kMultiString
  std::uint64_t number = 0;       // kDword, kQword

  static RawValue String(std::string text) { return {RawType::kString, std::move(text), {}, 0}; }
  static RawValue MultiString(std::vector<std::string> list) {
    return {RawType::kMultiString, {}, std::move(list), 0};
  }
  static RawValue Dword(std::uint32_t number) { return {RawType::kDword, {}, {}, number}; }
  static RawValue Qword(std::uint64_t number) { return {RawType::kQword, {}, {}, number}; }
};

// "REG_SZ \"ten\"", "REG_DWORD 5": what an error message says was found.
std::string DescribeRawValue(const RawValue& value);
std::string_view RawTypeName(RawType type);

using sup::CaseInsensitiveLess;

using RawValues = std::map<std::string, RawValue, CaseInsensitiveLess>;

struct RawWorker {
  RawValues values;
  std::map<std::string, RawValues, CaseInsensitiveLess> probes;  // subkeys of Probes: Startup, ...
};

struct RawConfig {
  RawValues daemon;
  std::map<std::string, RawWorker, CaseInsensitiveLess> workers;  // subkeys of Workers
};

}  // namespace sup::config
