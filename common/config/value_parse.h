// How a registry value of each schema kind is read (ParseRawValue: REG_SZ "auto" for
// OutputEncoding, a REG_MULTI_SZ of exit codes, a REG_DWORD within a row's range), and written back
// as an admin would write it (FormatParsedValue). The validator applies what these parse; `supctl
// worker set` checks a value with ParseRawValue before it writes it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/config/config_schema.h"
#include "common/config/raw_config.h"
#include "common/result.h"

namespace sup::config {

// Parses `raw` as a value of `kind`; the error's message says what was expected.
Result<ParsedValue> ParseRawValue(ValueKind kind, std::uint64_t min, std::uint64_t max,
                                  std::span<const std::string_view> choices, const RawValue& raw);

// The value a row's default_text stands for.
template <typename Target>
Result<ParsedValue> ParseDefault(const SchemaValue<Target>& row);

// A parsed value as an admin would write it: "5000", "event,terminate", "on-failure", "utf-8".
std::string FormatParsedValue(ValueKind kind, std::span<const std::string_view> choices,
                              const ParsedValue& value);

// The index of `text` among `choices`, ignoring case; nullopt when it is none of them.
std::optional<std::size_t> ChoiceIndex(std::span<const std::string_view> choices,
                                       std::string_view text);

// "auto", "utf-8" (or "utf8"), "ansi", "oem" (any case) or a code page number from 1 to 65535;
// nullopt for anything else. OutputEncodingName gives the first form back.
std::optional<OutputEncoding> ParseOutputEncoding(std::string_view text);
std::string OutputEncodingName(const OutputEncoding& encoding);

}  // namespace sup::config
