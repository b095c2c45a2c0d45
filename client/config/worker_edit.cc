#include "client/config/worker_edit.h"

#include "common/worker_sid.h"

#include <charconv>
#include <optional>

#include "common/case_insensitive.h"
#include "common/config/config_schema.h"
#include "common/config/validate.h"
#include "common/config/value_parse.h"

namespace sup::client {

namespace {

// What the schema says of one key: its canonical spelling and its row's rules.
struct KeyRule {
  std::string canonical;  // "StopTimeoutMs", "Probes\Liveness\PeriodMs"
  config::ValueKind kind;
  std::uint64_t min;
  std::uint64_t max;
  std::span<const std::string_view> choices;
  std::string_view description;
  std::string probe;  // "Liveness" for a probe value, else ""
  std::string value;  // the value's own name
};

template <typename Target>
std::optional<KeyRule> FindRow(std::span<const config::SchemaValue<Target>> schema,
                               std::string_view name) {
  for (const config::SchemaValue<Target>& row : schema) {
    if (EqualsIgnoringCase(row.name, name)) {
      return KeyRule{std::string(row.name), row.kind,        row.min, row.max,
                     row.choices,           row.description, "",      std::string(row.name)};
    }
  }
  return std::nullopt;
}

template <typename Target>
std::string Names(std::span<const config::SchemaValue<Target>> schema) {
  std::string names;
  for (const config::SchemaValue<Target>& row : schema)
    names += (names.empty() ? "" : ", ") + std::string(row.name);
  return names;
}

Result<KeyRule> ResolveKey(std::string_view key) {
  constexpr std::string_view kProbes = "Probes\\";
  if (key.size() > kProbes.size() && EqualsIgnoringCase(key.substr(0, kProbes.size()), kProbes)) {
    const std::string_view rest = key.substr(kProbes.size());
    const std::size_t slash = rest.find('\\');
    const std::string_view probe = rest.substr(0, slash);
    std::optional<std::string> canonical_probe;
    for (std::string_view kind : kProbeKindNames) {
      if (EqualsIgnoringCase(kind, probe)) canonical_probe = std::string(kind);
    }
    if (!canonical_probe || slash == std::string_view::npos) {
      return Error(ErrorKind::kInvalidArgument,
                   "unknown worker value \"" + std::string(key) +
                       "\": probe values are Probes\\{Startup,Liveness,Readiness}\\NAME");
    }
    std::optional<KeyRule> rule = FindRow(config::ProbeSchema(), rest.substr(slash + 1));
    if (!rule) {
      return Error(ErrorKind::kInvalidArgument, "unknown probe value \"" +
                                                    std::string(rest.substr(slash + 1)) +
                                                    "\": one of " + Names(config::ProbeSchema()));
    }
    rule->probe = *canonical_probe;
    rule->canonical = "Probes\\" + *canonical_probe + "\\" + rule->value;
    return *rule;
  }
  std::optional<KeyRule> rule = FindRow(config::WorkerSchema(), key);
  // "MemoryRestartMB=500", as sc.exe and environment lists are written: say how it is written here.
  if (const std::size_t equals = key.find('=');
      !rule && equals != std::string_view::npos &&
      FindRow(config::WorkerSchema(), key.substr(0, equals))) {
    return Error(ErrorKind::kInvalidArgument,
                 "\"" + std::string(key) +
                     "\" is a value and its name in one: give them apart, as in "
                     "`supctl worker set WORKER " +
                     std::string(key.substr(0, equals)) + " " +
                     std::string(key.substr(equals + 1)) + "`");
  }
  if (!rule) {
    return Error(ErrorKind::kInvalidArgument, "unknown worker value \"" + std::string(key) +
                                                  "\": one of " + Names(config::WorkerSchema()) +
                                                  ", or Probes\\KIND\\NAME");
  }
  return *rule;
}

std::string Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return std::string(text);
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  if (Trim(text).empty()) return items;
  while (true) {
    const std::size_t comma = text.find(',');
    items.push_back(Trim(text.substr(0, comma)));
    if (comma == std::string_view::npos) return items;
    text.remove_prefix(comma + 1);
  }
}

// The registry type the schema wants, from text; the schema's own check comes after.
std::optional<config::RawValue> FromText(config::ValueKind kind, std::string_view text) {
  switch (kind) {
    case config::ValueKind::kString:
    case config::ValueKind::kChoice:
    case config::ValueKind::kEncoding:
    case config::ValueKind::kAccount:
      if (kind == config::ValueKind::kString && text.find('%') != std::string_view::npos) {
        return config::RawValue{config::RawType::kExpandString, std::string(text), {}, 0};
      }
      return config::RawValue::String(std::string(text));
    case config::ValueKind::kStringList:
    case config::ValueKind::kChoiceList:
    case config::ValueKind::kExitCodes: return config::RawValue::MultiString(SplitList(text));
    case config::ValueKind::kBool:
      for (std::string_view yes : {"1", "true", "yes"}) {
        if (EqualsIgnoringCase(text, yes)) return config::RawValue::Dword(1);
      }
      for (std::string_view no : {"0", "false", "no"}) {
        if (EqualsIgnoringCase(text, no)) return config::RawValue::Dword(0);
      }
      return std::nullopt;
    case config::ValueKind::kUint: {
      std::uint64_t number = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (error != std::errc() || end != text.data() + text.size() || text.empty())
        return std::nullopt;
      if (number > 0xffffffffu) return config::RawValue::Qword(number);
      return config::RawValue::Dword(static_cast<std::uint32_t>(number));
    }
  }
  return std::nullopt;
}

// The worker `name` of `config` validated as supd would; the first error, fully described.
Result<void> CheckWorker(const config::RawConfig& config, const std::string& name) {
  const ValidatedConfig validated = config::ValidateConfig(config);
  const auto invalid = validated.invalid_workers.find(name);
  if (invalid == validated.invalid_workers.end()) return Ok();
  std::string message = "Workers\\" + name + " would not be valid:";
  for (const ConfigError& error : invalid->second) message += "\n  " + error.ToString();
  return Error(ErrorKind::kInvalidArgument, message);
}

Result<config::RawConfig> ReadWithWorker(config::ConfigStore& store, const std::string& name) {
  Result<config::RawConfig> config = store.Read();
  if (!config) return config.error();
  if (!config->workers.contains(name)) {
    return Error(ErrorKind::kNotFound, "no worker " + name + " (supctl worker list shows them)");
  }
  return config;
}

void Place(config::RawWorker& worker, const KeyRule& rule, std::optional<config::RawValue> value) {
  config::RawValues& values = rule.probe.empty() ? worker.values : worker.probes[rule.probe];
  if (value) {
    values[rule.value] = *value;
  } else {
    values.erase(rule.value);
    if (!rule.probe.empty() && values.empty()) worker.probes.erase(rule.probe);
  }
}

std::string TypeOf(const config::RawValue& value) {
  return std::string(config::RawTypeName(value.type));
}

}  // namespace

Result<config::RawValue> ParseWorkerSetting(std::string_view key, std::string_view text) {
  Result<KeyRule> rule = ResolveKey(key);
  if (!rule) return rule.error();
  std::optional<config::RawValue> value = FromText(rule->kind, text);
  Result<config::ParsedValue> checked =
      value ? config::ParseRawValue(rule->kind, rule->min, rule->max, rule->choices, *value)
            : Result<config::ParsedValue>(
                  Error(ErrorKind::kInvalidArgument,
                        rule->kind == config::ValueKind::kBool ? "0 or 1" : "a whole number"));
  if (!checked) {
    return Error(ErrorKind::kInvalidArgument,
                 rule->canonical + ": expected " + checked.error().message() + ", found \"" +
                     std::string(text) + "\" (" + std::string(rule->description) + ")");
  }
  return *value;
}

Result<std::pair<std::string, std::string>> SplitAssignment(std::string_view assignment) {
  const std::size_t equals = assignment.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    return Error(ErrorKind::kInvalidArgument,
                 "\"" + std::string(assignment) + "\" is not KEY=VALUE");
  }
  return std::pair<std::string, std::string>(std::string(assignment.substr(0, equals)),
                                             std::string(assignment.substr(equals + 1)));
}

Result<void> AddWorker(config::ConfigStore& store, const std::string& name,
                       const std::string& command,
                       const std::vector<std::pair<std::string, std::string>>& settings) {
  if (!config::IsValidWorkerName(name)) {
    return Error(ErrorKind::kInvalidArgument,
                 "worker name \"" + name + "\": 1 to 64 letters, digits, '.', '_' or '-'");
  }
  Result<config::RawConfig> config = store.Read();
  if (!config) return config.error();
  if (config->workers.contains(name)) {
    return Error(ErrorKind::kInvalidArgument,
                 "worker " + name + " exists already (supctl worker set changes it)");
  }
  std::vector<std::pair<KeyRule, config::RawValue>> values;
  std::vector<std::pair<std::string, std::string>> all = {{"Command", command}};
  all.insert(all.end(), settings.begin(), settings.end());
  config::RawWorker& worker = config->workers[name];
  for (const auto& [key, text] : all) {
    Result<KeyRule> rule = ResolveKey(key);
    if (!rule) return rule.error();
    Result<config::RawValue> value = ParseWorkerSetting(key, text);
    if (!value) return value.error();
    Place(worker, *rule, *value);
    values.emplace_back(*rule, *value);
  }
  if (Result<void> valid = CheckWorker(*config, name); !valid) return valid;
  for (const auto& [rule, value] : values) {
    if (Result<void> written = store.SetWorkerValue(name, rule.canonical, value); !written)
      return written;
  }
  return Ok();
}

Result<void> SetWorkerSetting(config::ConfigStore& store, const std::string& name,
                              const std::string& key, const std::string& text) {
  Result<KeyRule> rule = ResolveKey(key);
  if (!rule) return rule.error();
  Result<config::RawValue> value = ParseWorkerSetting(key, text);
  if (!value) return value.error();
  Result<config::RawConfig> config = ReadWithWorker(store, name);
  if (!config) return config.error();
  Place(config->workers[name], *rule, *value);
  if (Result<void> valid = CheckWorker(*config, name); !valid) return valid;
  return store.SetWorkerValue(name, rule->canonical, *value);
}

Result<void> UnsetWorkerSetting(config::ConfigStore& store, const std::string& name,
                                const std::string& key) {
  Result<KeyRule> rule = ResolveKey(key);
  if (!rule) return rule.error();
  Result<config::RawConfig> config = ReadWithWorker(store, name);
  if (!config) return config.error();
  Place(config->workers[name], *rule, std::nullopt);
  if (Result<void> valid = CheckWorker(*config, name); !valid) return valid;
  return store.DeleteWorkerValue(name, rule->canonical);
}

Result<void> RemoveWorker(config::ConfigStore& store, const std::string& name) {
  Result<config::RawConfig> config = ReadWithWorker(store, name);
  if (!config) return config.error();
  const ValidatedConfig before = config::ValidateConfig(*config);
  for (const auto& [other, worker] : before.workers) {
    for (const std::string& dependency : worker.policy.depends_on) {
      if (EqualsIgnoringCase(dependency, name) && other != name) {
        return Error(ErrorKind::kFailedPrecondition, "worker " + other + " depends on " + name +
                                                         " (remove it from its DependsOn first)");
      }
    }
  }
  return store.DeleteWorker(name);
}

Result<void> ImportConfig(config::ConfigStore& store, const config::RawConfig& incoming,
                          bool replace) {
  config::RawConfig result;
  if (!replace) {
    Result<config::RawConfig> current = store.Read();
    if (!current) return current.error();
    result = std::move(*current);
  }
  for (const auto& [key, value] : incoming.daemon) result.daemon[key] = value;
  for (const auto& [name, worker] : incoming.workers) {
    config::RawWorker& merged = result.workers[name];
    for (const auto& [key, value] : worker.values) merged.values[key] = value;
    for (const auto& [probe, values] : worker.probes) {
      for (const auto& [key, value] : values) merged.probes[probe][key] = value;
    }
  }
  const ValidatedConfig validated = config::ValidateConfig(result);
  if (!validated.daemon_errors.empty() || !validated.invalid_workers.empty()) {
    std::string message = "nothing imported: the configuration would not be valid:";
    for (const ConfigError& error : validated.daemon_errors) message += "\n  " + error.ToString();
    for (const auto& [name, errors] : validated.invalid_workers) {
      for (const ConfigError& error : errors) message += "\n  " + error.ToString();
    }
    return Error(ErrorKind::kInvalidArgument, message);
  }
  if (replace) {
    if (Result<void> cleared = store.Clear(); !cleared) return cleared;
  }
  for (const auto& [key, value] : incoming.daemon) {
    if (Result<void> written = store.SetDaemonValue(key, value); !written) return written;
  }
  for (const auto& [name, worker] : incoming.workers) {
    for (const auto& [key, value] : worker.values) {
      if (Result<void> written = store.SetWorkerValue(name, key, value); !written) return written;
    }
    for (const auto& [probe, values] : worker.probes) {
      for (const auto& [key, value] : values) {
        if (Result<void> written =
                store.SetWorkerValue(name, "Probes\\" + probe + "\\" + key, value);
            !written) {
          return written;
        }
      }
    }
  }
  return Ok();
}

std::string ValueText(const config::RawValue& value) {
  switch (value.type) {
    case config::RawType::kMultiString: {
      std::string joined;
      for (const std::string& item : value.list) joined += (joined.empty() ? "" : ",") + item;
      return joined;
    }
    case config::RawType::kDword:
    case config::RawType::kQword: return std::to_string(value.number);
    default: return value.text;
  }
}

namespace {

std::string Shown(const config::RawValue& value) {
  return value.type == config::RawType::kOther ? "(unsupported type)" : ValueText(value);
}

}  // namespace

std::string RenderWorker(const std::string& name, const config::RawWorker& worker) {
  std::string text = name + "\n  worker SID " + WorkerSid(name) +
                     " (grant it a folder: icacls <folder> /grant *SID:M)\n";
  for (const auto& [key, value] : worker.values)
    text += "  " + key + " = " + Shown(value) + " (" + TypeOf(value) + ")\n";
  for (const auto& [probe, values] : worker.probes) {
    for (const auto& [key, value] : values) {
      text +=
          "  Probes\\" + probe + "\\" + key + " = " + Shown(value) + " (" + TypeOf(value) + ")\n";
    }
  }
  return text;
}

}  // namespace sup::client
