// `supctl worker add|set|unset|remove`: edits of the registry configuration, checked against the
// schema before anything is written. A value is typed as text and becomes the registry type the
// schema wants; the edited worker is then validated as supd would validate it, so a command that
// succeeds never leaves a worker supd would refuse. Portable over the ConfigStore port, so every
// refusal is unit-tested with an in-memory store; the registry adapter is in daemon/win.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/config/config_store.h"
#include "common/result.h"

namespace sup::client {

// `text` as the registry value the schema wants for `key`: REG_SZ (REG_EXPAND_SZ when it holds
// a %VARIABLE%), REG_MULTI_SZ from comma-separated items, REG_DWORD (REG_QWORD above 32 bits),
// booleans from 0/1/true/false/yes/no. Unknown keys, wrong types and out-of-range values are
// refused with the schema's own description of the value.
Result<config::RawValue> ParseWorkerSetting(std::string_view key, std::string_view text);

// KEY=VALUE, as `worker add --set` takes it.
Result<std::pair<std::string, std::string>> SplitAssignment(std::string_view assignment);

Result<void> AddWorker(config::ConfigStore& store, const std::string& name,
                       const std::string& command,
                       const std::vector<std::pair<std::string, std::string>>& settings);
Result<void> SetWorkerSetting(config::ConfigStore& store, const std::string& name,
                              const std::string& key, const std::string& text);
Result<void> UnsetWorkerSetting(config::ConfigStore& store, const std::string& name,
                                const std::string& key);
// Refused while another worker depends on it (that worker would become invalid).
Result<void> RemoveWorker(config::ConfigStore& store, const std::string& name);

// `config import`: writes `incoming` over the configuration (or, with `replace`, instead of it),
// after validating the result as a whole: one invalid value anywhere and nothing is written.
Result<void> ImportConfig(config::ConfigStore& store, const config::RawConfig& incoming,
                          bool replace);

// A value as an admin would type it back: text, comma-joined items, or the number.
std::string ValueText(const config::RawValue& value);

// One line per value, "Key = value (TYPE)", probes last: what `worker show` prints.
std::string RenderWorker(const std::string& name, const config::RawWorker& worker);

}  // namespace sup::client
