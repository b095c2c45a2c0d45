// The configuration schema, declared once: every registry value sup reads, with its type,
// default, allowed range or set, and description. The validator (validate.h), `supctl worker` and
// the documentation in config/ all derive from these tables; no other list of value names exists.
// How a value of each kind is read is in value_parse.h.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/config/config_model.h"
#include "common/worker_account.h"

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
// kChoice), the list of numbers (choice indexes, or exit codes), the encoding (kEncoding) or the
// account (kAccount). Each is parsed once, when the value is read; an apply function only picks
// its alternative.
using ParsedValue = std::variant<std::string, std::vector<std::string>, std::uint64_t,
                                 std::vector<std::int64_t>, OutputEncoding, WorkerAccount>;

// One registry value. Rows name their fields (.name =, .min =): what a row leaves out is the
// default here.
template <typename Target>
struct SchemaValue {
  std::string_view name;
  ValueKind kind = ValueKind::kString;
  // The default in documentation form (lists comma-separated); "" and required: none.
  std::string_view default_text = "";
  bool required = false;
  std::uint64_t min = 0;  // kString: characters; kUint: the value
  std::uint64_t max = 0;
  std::span<const std::string_view> choices = {};  // kChoice, kChoiceList
  std::string_view description = "";
  void (*apply)(Target& target, const ParsedValue& value) = nullptr;
};

std::span<const SchemaValue<DaemonConfig>> DaemonSchema();
std::span<const SchemaValue<WorkerConfig>> WorkerSchema();
std::span<const SchemaValue<ProbeConfig>> ProbeSchema();

}  // namespace sup::config
