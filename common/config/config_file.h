// The whole configuration as a file, for `supctl config export|import`: a .reg file (UTF-16LE
// with a BOM and the "Windows Registry Editor Version 5.00" header: what `reg export` writes and
// `reg import` and Group Policy read) or JSON. Both directions keep every value's registry type,
// so export, wipe, import gives back an identical configuration. Portable and unit-tested.
#pragma once

#include <string>
#include <string_view>

#include "common/config/raw_config.h"
#include "common/result.h"

namespace sup::config {

enum class ConfigFormat { kReg, kJson };

Result<ConfigFormat> ParseConfigFormat(std::string_view name);  // "reg" or "json"
ConfigFormat FormatOfPath(std::string_view path);               // .json: JSON; anything else: .reg

// `root` is the configuration key as .reg files spell it: "HKEY_LOCAL_MACHINE\SOFTWARE\Sup".
std::string ToRegFile(const RawConfig& config, const std::string& root);
// Accepts UTF-16LE (with its BOM) or UTF-8 text. Every key must lie below `root`; operator
// state (root\State) is skipped; deletions ([-key], "x"=-) are refused. Errors name the line.
Result<RawConfig> FromRegFile(std::string_view bytes, const std::string& root);

// {"daemon": {NAME: VALUE}, "workers": {WORKER: {NAME: VALUE, "Probes": {KIND: {NAME: VALUE}}}}}
// where VALUE is a string (REG_SZ), {"expand": string} (REG_EXPAND_SZ), an array of strings
// (REG_MULTI_SZ), a number (REG_DWORD) or {"qword": number} (REG_QWORD).
std::string ToJson(const RawConfig& config);
Result<RawConfig> FromJson(std::string_view text);

}  // namespace sup::config
