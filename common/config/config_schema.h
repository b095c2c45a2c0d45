// The configuration schema, declared once: every registry value sup reads, with its type,
// default, allowed range or set, and description. The validator, `supctl worker` and the
// documentation in config/ all derive from these tables; no other list of value names exists.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/config/config_model.h"
#include "common/config/config_store.h"
#include "common/config/raw_config.h"
#include "common/result.h"

namespace sup::config {

enum class ValueKind {
  kString,      // REG_SZ or REG_EXPAND_SZ
  kStringList,  // REG_MULTI_SZ
  kUint,        // REG_DWORD or REG_QWORD within [min, max]
  kBool,        // REG_DWORD 0 or 1
  kChoice,      // REG_SZ, one of `choices` (case-insensitive)
  kChoiceList,  // REG_MULTI_SZ of `choices`, each at most once
  kExitCodes,   // REG_MULTI_SZ of decimal or 0x-hex exit codes, or one REG_DWORD
  kEncoding,    // REG_SZ: auto, utf-8, ansi, oem or a code page number (OutputEncoding)
  kAccount,     // REG_SZ: an account a worker may run as (Account; ParseWorkerAccount)
};

// A parsed value: the string, the list, the number (0/1 for kBool, the index into `choices` for
// kChoice), or the list of numbers (choice indexes, or exit codes).
using ParsedValue =
    std::variant<std::string, std::vector<std::string>, std::uint64_t, std::vector<std::int64_t>>;

template <typename Target>
struct SchemaValue {
  std::string_view name;
  ValueKind kind;
  std::string_view
      default_text;  // documentation form; lists comma-separated; "" and required: none
  bool required;
  std::uint64_t min;
  std::uint64_t max;
  std::span<const std::string_view> choices;
  std::string_view description;
  void (*apply)(Target& target, const ParsedValue& value);
};

std::span<const SchemaValue<DaemonConfig>> DaemonSchema();
std::span<const SchemaValue<WorkerConfig>> WorkerSchema();
std::span<const SchemaValue<ProbeConfig>> ProbeSchema();

// "auto", "utf-8" (or "utf8"), "ansi", "oem" (any case) or a code page number from 1 to 65535;
// nullopt for anything else. OutputEncodingName gives the first form back.
std::optional<OutputEncoding> ParseOutputEncoding(std::string_view text);
std::string OutputEncodingName(const OutputEncoding& encoding);

// Parses `raw` as a value of `kind`; the error's message says what was expected.
Result<ParsedValue> ParseRawValue(ValueKind kind, std::uint64_t min, std::uint64_t max,
                                  std::span<const std::string_view> choices, const RawValue& raw);

// The value a row's default_text stands for.
template <typename Target>
Result<ParsedValue> ParseDefault(const SchemaValue<Target>& row);

// Worker names: [A-Za-z0-9._-]{1,64}.
bool IsValidWorkerName(std::string_view name);

// Validates the whole configuration, collecting every error; a worker with any error is left out
// of `workers` and listed in `invalid_workers`, and the others are unaffected. Invalid daemon
// values change nothing: `daemon` is then `in_force` (the values supd runs with), or the
// defaults at the first reading, and the workers' default log paths resolve against it.
ValidatedConfig ValidateConfig(const RawConfig& raw, const DaemonConfig* in_force = nullptr);

// supd logs a worker's Account on only while it holds SeTcbPrivilege (as LocalSystem). When it
// runs as an account without it (its virtual account, a gMSA: `supd_account`), every worker whose
// Account is not LocalSystem is moved to `invalid_workers` with an error saying why; its
// dependents stay valid and wait, as for any invalid worker.
void RefuseAccountsSupdCannotLogOn(ValidatedConfig& config, const std::string& supd_account);

// The one way in: reads `source` and validates what it holds (ValidateConfig). Only a source that
// cannot be read is an error ("reading the configuration: ..."); invalid values are in the result.
Result<ValidatedConfig> ReadConfig(ConfigSource& source, const DaemonConfig* in_force = nullptr);

// The daemon values `source` holds, or the defaults when it cannot be read or one of them is
// invalid: for what must be known before supd runs (its log, the pipe supctl verifies).
DaemonConfig DaemonValuesOrDefaults(ConfigSource& source);

}  // namespace sup::config
