// libFuzzer target: the configuration reader's validation (the registry as a ConfigSource reads
// it, before any check) and the engine applying what it accepts, twice in a row.
//
// Input: lines of `PATH=T:DATA`, the registry in text so that mutations stay meaningful. PATH is
// `Value` (a daemon value), `worker\Value` or `worker\Probes\probe\Value`; T is the type (s
// string, e expand string, m multi-string with DATA split at ',', d dword, q qword, anything
// else an unsupported type); a line `---` starts the second configuration, which is applied over
// the first as a reload would. After each configuration every running worker exits once (with
// code 0, 1 or 3 by its name's length) and time goes on. Checks, beyond "no crash, no sanitizer
// report, no leak":
//   - every worker is either valid or has errors, never both, never neither;
//   - every error names its key and says what was expected;
//   - the engine supervises every valid worker afterwards;
//   - the engine's state-machine invariants (Supervisor::CheckInvariants) hold after the
//     configuration is applied, after time passes and after the exits.
// Commands, probes and longer schedules are the engine model fuzzer's (engine_model_fuzzer.cc).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/validate.h"
#include "tests/fakes/engine_fakes.h"

namespace sup {
namespace {

void Require(bool condition) {
  if (!condition) __builtin_trap();
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const std::size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

config::RawValue ParseValue(char type, std::string_view data) {
  std::uint64_t number = 0;
  for (char c : data) number = number * 10 + static_cast<unsigned char>(c) % 10;
  switch (type) {
    case 's': return config::RawValue::String(std::string(data));
    case 'e': return {config::RawType::kExpandString, std::string(data), {}, 0};
    case 'm': {
      std::vector<std::string> items;
      for (std::string_view item : Split(data, ',')) items.emplace_back(item);
      return config::RawValue::MultiString(items);
    }
    case 'd': return config::RawValue::Dword(static_cast<std::uint32_t>(number));
    case 'q': return config::RawValue::Qword(number);
    default: return {config::RawType::kOther, {}, {}, 0};
  }
}

void AddLine(config::RawConfig& raw, std::string_view line) {
  const std::size_t equals = line.find('=');
  if (equals == std::string_view::npos) return;
  const std::vector<std::string_view> path = Split(line.substr(0, equals), '\\');
  const std::string_view typed = line.substr(equals + 1);
  if (typed.size() < 2 || typed[1] != ':') return;
  const config::RawValue value = ParseValue(typed[0], typed.substr(2));
  if (path.size() == 1) {
    raw.daemon[std::string(path[0])] = value;
  } else if (path.size() == 2) {
    raw.workers[std::string(path[0])].values[std::string(path[1])] = value;
  } else if (path.size() == 4) {
    raw.workers[std::string(path[0])].probes[std::string(path[2])][std::string(path[3])] = value;
  }
}

void RequireInvariants(const engine::Supervisor& supervisor) {
  const std::vector<std::string> broken = supervisor.CheckInvariants();
  for (const std::string& rule : broken)
    std::fprintf(stderr, "invariant broken: %s\n", rule.c_str());
  Require(broken.empty());
}

// Every worker with a process exits once, as if it crashed or finished.
void ExitEveryRunningWorker(testing::FakeEngine& engine) {
  for (const engine::WorkerSnapshot& worker : engine.supervisor.Snapshot()) {
    if (worker.pid == 0) continue;
    static constexpr std::int64_t kCodes[] = {0, 1, 3};
    engine.supervisor.OnExit(worker.name, worker.pid, kCodes[worker.name.size() % 3]);
  }
}

void CheckValidation(const config::RawConfig& raw, const ValidatedConfig& validated) {
  for (const auto& [name, worker] : raw.workers) {
    const bool valid = validated.workers.contains(name);
    const bool invalid = validated.invalid_workers.contains(name);
    Require(valid != invalid);
    if (invalid) Require(!validated.invalid_workers.at(name).empty());
  }
  Require(validated.workers.size() + validated.invalid_workers.size() == raw.workers.size());
  for (const auto& [name, errors] : validated.invalid_workers) {
    for (const ConfigError& error : errors) Require(!error.key.empty() && !error.expected.empty());
  }
  for (const ConfigError& error : validated.daemon_errors)
    Require(!error.key.empty() && !error.expected.empty());
}

}  // namespace
}  // namespace sup

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sup;
  if (size > 16 * 1024) return 0;  // a registry is small; longer inputs only slow the search down
  std::vector<config::RawConfig> configs(1);
  for (std::string_view line :
       Split(std::string_view(reinterpret_cast<const char*>(data), size), '\n')) {
    if (line == "---") {
      configs.emplace_back();
    } else {
      AddLine(configs.back(), line);
    }
  }

  testing::FakeEngine engine;
  for (const config::RawConfig& raw : configs) {
    testing::FakeConfigSource source;
    source.raw = raw;
    const ValidatedConfig validated = *engine.supervisor.ReadConfig(source);
    CheckValidation(raw, validated);
    engine.supervisor.ApplyConfig(validated);
    RequireInvariants(engine.supervisor);
    engine.timers.Advance(std::chrono::milliseconds(2000));
    RequireInvariants(engine.supervisor);
    for (const auto& [name, worker] : validated.workers)
      Require(engine.supervisor.Snapshot(name).has_value());
    ExitEveryRunningWorker(engine);
    RequireInvariants(engine.supervisor);
    engine.timers.Advance(std::chrono::milliseconds(2000));
    RequireInvariants(engine.supervisor);
  }
  return 0;
}
