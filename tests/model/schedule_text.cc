#include "schedule_text.h"

#include <algorithm>
#include <array>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "common/config/config_file.h"

namespace sup::model {
namespace {

constexpr std::array<std::pair<Step::Kind, std::string_view>, 17> kKindNames = {{
    {Step::Kind::kReload, "reload"},
    {Step::Kind::kStart, "start"},
    {Step::Kind::kStop, "stop"},
    {Step::Kind::kRestart, "restart"},
    {Step::Kind::kReset, "reset"},
    {Step::Kind::kExit, "exit"},
    {Step::Kind::kSpawnFailure, "spawn-failure"},
    {Step::Kind::kProbe, "probe"},
    {Step::Kind::kAdvance, "advance"},
    {Step::Kind::kSlowLaunch, "slow-launch"},
    {Step::Kind::kMemory, "memory"},
    {Step::Kind::kShutdown, "shutdown"},
    {Step::Kind::kDeaf, "deaf"},
    {Step::Kind::kLateExit, "late-exit"},
    {Step::Kind::kRestartSupd, "supd-restart"},
    {Step::Kind::kUndelivered, "undelivered"},
    {Step::Kind::kNotify, "notify"},
}};

std::string_view NameOf(Step::Kind kind) {
  for (const auto& [known, name] : kKindNames) {
    if (known == kind) return name;
  }
  return "?";
}

Error LineError(std::size_t line, const std::string& what) {
  return Error(ErrorKind::kInvalidArgument, "line " + std::to_string(line) + ": " + what);
}

}  // namespace

std::string ScheduleToText(const std::vector<Step>& schedule) {
  std::string text;
  for (const Step& step : schedule) {
    std::string workers;
    for (const std::string& worker : step.workers) workers += (workers.empty() ? "" : ",") + worker;
    text += std::string(NameOf(step.kind)) + " " + std::to_string(step.number) + " " +
            (step.success ? "1" : "0") + " " + (workers.empty() ? "-" : workers);
    if (step.kind == Step::Kind::kReload) {
      // As the export writes it, made compact: one step, one line.
      text += " " + nlohmann::ordered_json::parse(config::ToJson(step.config)).dump();
    }
    text += "\n";
  }
  return text;
}

Result<std::vector<Step>> ScheduleFromText(std::string_view text) {
  std::vector<Step> schedule;
  std::istringstream lines{std::string(text)};
  std::string line;
  for (std::size_t number = 1; std::getline(lines, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    std::istringstream fields(line);
    std::string kind, workers;
    Step step;
    int success = 0;
    if (!(fields >> kind >> step.number >> success >> workers) || (success != 0 && success != 1))
      return LineError(number, "expected: kind number success workers [config]");
    const auto known = std::find_if(kKindNames.begin(), kKindNames.end(),
                                    [&](const auto& entry) { return entry.second == kind; });
    if (known == kKindNames.end()) return LineError(number, "no step is called " + kind);
    step.kind = known->first;
    step.success = success == 1;
    if (workers != "-") {
      std::istringstream names(workers);
      for (std::string name; std::getline(names, name, ',');) step.workers.push_back(name);
    }
    if (step.kind == Step::Kind::kReload) {
      std::string json;
      std::getline(fields, json);
      Result<config::RawConfig> config = config::FromJson(json);
      if (!config) return LineError(number, config.error().message());
      step.config = std::move(*config);
    }
    schedule.push_back(std::move(step));
  }
  return schedule;
}

}  // namespace sup::model
