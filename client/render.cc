#include "client/render.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "client/exit_codes.h"
#include "client/json_writer.h"
#include "common/format.h"

namespace sup::client {

using sup::v1::WorkerStatus;

std::string_view StateName(WorkerStatus::State state) {
  switch (state) {
    case WorkerStatus::STOPPED: return "STOPPED";
    case WorkerStatus::STARTING: return "STARTING";
    case WorkerStatus::RUNNING: return "RUNNING";
    case WorkerStatus::BACKOFF: return "BACKOFF";
    case WorkerStatus::STOPPING: return "STOPPING";
    case WorkerStatus::EXITED: return "EXITED";
    case WorkerStatus::FAILED: return "FAILED";
    default: return "UNKNOWN";
  }
}

std::string_view HealthName(WorkerStatus::Health health) {
  switch (health) {
    case WorkerStatus::HEALTHY: return "HEALTHY";
    case WorkerStatus::UNHEALTHY: return "UNHEALTHY";
    default: return "UNKNOWN";
  }
}

std::string_view ReasonName(WorkerStatus::Reason reason) {
  switch (reason) {
    case WorkerStatus::OPERATOR: return "operator";
    case WorkerStatus::EXITED_ITSELF: return "exited";
    case WorkerStatus::KILLED: return "killed";
    case WorkerStatus::SPAWN_ERROR: return "spawn-error";
    case WorkerStatus::START_TIMEOUT: return "start-timeout";
    case WorkerStatus::LIVENESS_FAILED: return "liveness-failed";
    case WorkerStatus::MEMORY_LIMIT: return "memory-limit";
    case WorkerStatus::CONFIG_CHANGED: return "config-changed";
    case WorkerStatus::CONFIG_ERROR: return "config-error";
    case WorkerStatus::DEPENDENCY: return "dependency";
    case WorkerStatus::BREAKER_OPEN: return "breaker-open";
    case WorkerStatus::SHUTDOWN: return "shutdown";
    default: return "";
  }
}

namespace {

// Left-aligned columns, each as wide as its widest cell, two spaces apart; the last column is
// not padded.
std::string FormatColumns(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  }
  return out;
}

}  // namespace

std::string RenderStatusTable(const sup::v1::StatusResponse& status) {
  const sup::v1::DaemonStatus& daemon = status.daemon();
  std::string out = "supd " + daemon.version() + ", pid " + std::to_string(daemon.pid()) + ", uptime " +
                    FormatUptime(std::chrono::milliseconds(daemon.uptime_ms())) + ", config generation " +
                    std::to_string(daemon.config_generation()) + "\n";
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "STATE", "HEALTH", "READY", "PID", "UPTIME", "RESTARTS", "LAST-EXIT", "DESCRIPTION"}};
  for (const WorkerStatus& worker : status.workers()) {
    const bool running = worker.state() == WorkerStatus::RUNNING;
    rows.push_back({worker.name(), std::string(StateName(worker.state())), std::string(HealthName(worker.health())),
                    worker.ready() ? "yes" : "no", worker.pid() ? std::to_string(worker.pid()) : "-",
                    running ? FormatUptime(std::chrono::milliseconds(worker.uptime_ms())) : "-",
                    std::to_string(worker.restarts()),
                    worker.has_last_exit_code() ? FormatExitCode(worker.last_exit_code()) : "-", worker.description()});
  }
  out += FormatColumns(rows);
  if (status.workers().empty()) out += "(no workers configured)\n";
  return out;
}

std::string RenderStatusJson(const sup::v1::StatusResponse& status) {
  JsonWriter json;
  const sup::v1::DaemonStatus& daemon = status.daemon();
  json.BeginObject().Key("daemon").BeginObject();
  json.Key("pid").Uint(daemon.pid());
  json.Key("version").String(daemon.version());
  json.Key("uptime_ms").Uint(daemon.uptime_ms());
  json.Key("config_generation").Uint(daemon.config_generation());
  json.EndObject().Key("workers").BeginArray();
  for (const WorkerStatus& worker : status.workers()) WriteWorkerJson(json, worker);
  json.EndArray().EndObject();
  return json.str() + "\n";
}

void WriteWorkerJson(JsonWriter& json, const WorkerStatus& worker) {
    json.BeginObject();
    json.Key("name").String(worker.name());
    json.Key("state").String(StateName(worker.state()));
    json.Key("reason").String(ReasonName(worker.reason()));
    json.Key("health").String(HealthName(worker.health()));
    json.Key("ready").Bool(worker.ready());
    json.Key("pid").Uint(worker.pid());
    json.Key("uptime_ms").Uint(worker.uptime_ms());
    json.Key("restarts").Uint(worker.restarts());
    json.Key("last_exit_code");
    if (worker.has_last_exit_code()) {
      json.Int(worker.last_exit_code());
    } else {
      json.Null();
    }
    json.Key("next_restart_ms").Uint(worker.next_restart_ms());
    json.Key("serving").Bool(worker.serving());
    json.Key("done").Bool(worker.done());
    json.Key("launches").Uint(worker.launches());
    json.Key("description").String(worker.description());
    json.EndObject();
}

std::string RenderVersionTable(std::string_view client_version, const sup::v1::VersionResponse& daemon) {
  return "supctl " + std::string(client_version) + "\nsupd " + daemon.daemon_version() + " (protocol " +
         std::to_string(daemon.protocol_version()) + ")\n";
}

std::string RenderVersionJson(std::string_view client_version, const sup::v1::VersionResponse& daemon) {
  JsonWriter json;
  json.BeginObject();
  json.Key("supctl").BeginObject().Key("version").String(client_version).EndObject();
  json.Key("supd").BeginObject();
  json.Key("version").String(daemon.daemon_version());
  json.Key("protocol_version").Uint(daemon.protocol_version());
  json.EndObject().EndObject();
  return json.str() + "\n";
}

namespace {

bool Failed(const sup::v1::WorkerCommandResult& result) {
  return result.outcome() != sup::v1::WorkerCommandResult::DONE &&
         result.outcome() != sup::v1::WorkerCommandResult::ALREADY;
}

std::string_view OutcomeName(sup::v1::WorkerCommandResult::Outcome outcome) {
  switch (outcome) {
    case sup::v1::WorkerCommandResult::DONE: return "done";
    case sup::v1::WorkerCommandResult::ALREADY: return "already";
    case sup::v1::WorkerCommandResult::NOT_FOUND: return "not_found";
    case sup::v1::WorkerCommandResult::REFUSED: return "refused";
    default: return "unknown";
  }
}

}  // namespace

std::string RenderCommandResults(const sup::v1::WorkerCommandResponse& response) {
  std::string out;
  for (const sup::v1::WorkerCommandResult& result : response.results()) {
    out += result.worker() + ": " + (Failed(result) ? "ERROR (" + result.message() + ")" : result.message()) + "\n";
  }
  return out;
}

std::string RenderCommandResultsJson(const sup::v1::WorkerCommandResponse& response) {
  JsonWriter json;
  json.BeginObject().Key("results").BeginArray();
  for (const sup::v1::WorkerCommandResult& result : response.results()) {
    json.BeginObject();
    json.Key("worker").String(result.worker());
    json.Key("outcome").String(OutcomeName(result.outcome()));
    json.Key("message").String(result.message());
    json.Key("dependency_of").String(result.dependency_of());
    json.Key("launches").Uint(result.launches());
    json.EndObject();
  }
  json.EndArray().EndObject();
  return json.str() + "\n";
}

int CommandExitCode(const sup::v1::WorkerCommandResponse& response) {
  int code = kExitOk;
  for (const sup::v1::WorkerCommandResult& result : response.results()) {
    if (result.outcome() == sup::v1::WorkerCommandResult::NOT_FOUND) return kExitUnknownOrUnreachable;
    if (Failed(result)) code = kExitFailure;
  }
  return code;
}

int StatusExitCode(const sup::v1::StatusResponse& status) {
  const bool all_serving = std::all_of(status.workers().begin(), status.workers().end(),
                                       [](const WorkerStatus& w) { return w.serving(); });
  return all_serving ? kExitOk : kExitNotAllRunning;
}

bool WaitIsOver(std::string_view verb, const sup::v1::WorkerCommandResult& result, const WorkerStatus& status) {
  if (verb == "stop") {
    return status.state() != WorkerStatus::RUNNING && status.state() != WorkerStatus::STARTING &&
           status.state() != WorkerStatus::STOPPING;
  }
  if (verb == "restart" && status.launches() <= result.launches()) return false;  // still the old process
  return status.serving();
}

// ---------------------------------------------------------------------------------------------
// describe, logs, events, reread/update, health

namespace {

std::string_view KindName(sup::v1::Event::Kind kind) {
  switch (kind) {
    case sup::v1::Event::TRANSITION: return "transition";
    case sup::v1::Event::PROBE: return "probe";
    case sup::v1::Event::CONFIG: return "config";
    default: return "event";
  }
}

void WriteStrings(JsonWriter& json, std::string_view key, const google::protobuf::RepeatedPtrField<std::string>& items) {
  json.Key(key).BeginArray();
  for (const std::string& item : items) json.String(item);
  json.EndArray();
}

}  // namespace

std::string RenderEvent(const sup::v1::Event& event) {
  std::string line = FormatUtcMillis(event.time_unix_ms()) + "  " + event.worker() + "  ";
  switch (event.kind()) {
    case sup::v1::Event::TRANSITION:
      line += std::string(StateName(event.from())) + " -> " + std::string(StateName(event.to()));
      if (!ReasonName(event.reason()).empty()) line += " (" + std::string(ReasonName(event.reason())) + ")";
      break;
    case sup::v1::Event::PROBE:
      line += event.probe() + " probe " + (event.probe_success() ? "passed" : "failed");
      if (event.count() > 1) line += " " + std::to_string(event.count()) + " times in a row";
      break;
    default:
      line += std::string(KindName(event.kind()));
      break;
  }
  if (event.pid() != 0) line += " pid " + std::to_string(event.pid());
  if (event.has_exit_code()) line += " exit code " + FormatExitCode(event.exit_code());
  if (!event.message().empty()) line += ": " + event.message();
  return line + "\n";
}

void WriteEventJson(JsonWriter& json, const sup::v1::Event& event) {
  json.BeginObject();
  json.Key("time").String(FormatUtcMillis(event.time_unix_ms()));
  json.Key("worker").String(event.worker());
  json.Key("kind").String(KindName(event.kind()));
  if (event.kind() == sup::v1::Event::TRANSITION) {
    json.Key("from").String(StateName(event.from()));
    json.Key("to").String(StateName(event.to()));
  }
  json.Key("reason").String(ReasonName(event.reason()));
  json.Key("pid").Uint(event.pid());
  json.Key("exit_code");
  if (event.has_exit_code()) {
    json.Int(event.exit_code());
  } else {
    json.Null();
  }
  if (event.kind() == sup::v1::Event::PROBE) {
    json.Key("probe").String(event.probe());
    json.Key("success").Bool(event.probe_success());
    json.Key("count").Uint(event.count());
  }
  json.Key("message").String(event.message());
  json.EndObject();
}

std::string RenderEventJson(const sup::v1::Event& event) {
  JsonWriter json;
  WriteEventJson(json, event);
  return json.str() + "\n";
}

std::string RenderDescribe(const sup::v1::DescribeResponse& describe) {
  const WorkerStatus& worker = describe.status();
  std::string out = worker.name() + ": " + std::string(StateName(worker.state()));
  if (!ReasonName(worker.reason()).empty()) out += " (" + std::string(ReasonName(worker.reason())) + ")";
  out += ", " + worker.description() + "\n";
  out += "  health " + std::string(HealthName(worker.health())) + ", ready " + (worker.ready() ? "yes" : "no") +
         ", restarts " + std::to_string(worker.restarts()) + ", last exit code " +
         (worker.has_last_exit_code() ? std::to_string(worker.last_exit_code()) : std::string("-")) + "\n";
  if (!describe.config_errors().empty()) {
    out += "\nConfiguration errors (the definition below stays in force):\n";
    for (const std::string& error : describe.config_errors()) out += "  " + error + "\n";
  }
  out += "\nConfiguration:\n";
  std::vector<std::vector<std::string>> rows;
  for (const sup::v1::ConfigValue& value : describe.config()) rows.push_back({"  " + value.name(), value.value()});
  out += FormatColumns(rows);
  out += "\nRecent events:\n";
  for (const sup::v1::Event& event : describe.recent_events()) out += "  " + RenderEvent(event);
  const auto tail = [&](const char* title, const google::protobuf::RepeatedPtrField<std::string>& lines) {
    out += std::string("\n") + title + ":\n";
    for (const std::string& line : lines) out += "  " + line + "\n";
  };
  tail("Last stdout lines", describe.stdout_tail());
  tail("Last stderr lines", describe.stderr_tail());
  return out;
}

std::string RenderDescribeJson(const sup::v1::DescribeResponse& describe) {
  JsonWriter json;
  json.BeginObject().Key("status");
  WriteWorkerJson(json, describe.status());
  json.Key("config").BeginObject();
  for (const sup::v1::ConfigValue& value : describe.config()) json.Key(value.name()).String(value.value());
  json.EndObject();
  WriteStrings(json, "config_errors", describe.config_errors());
  json.Key("recent_events").BeginArray();
  for (const sup::v1::Event& event : describe.recent_events()) WriteEventJson(json, event);
  json.EndArray();
  WriteStrings(json, "stdout_tail", describe.stdout_tail());
  WriteStrings(json, "stderr_tail", describe.stderr_tail());
  json.EndObject();
  return json.str() + "\n";
}

std::string RenderConfigDiff(const sup::v1::ConfigDiffResponse& diff, bool applied) {
  std::string out;
  const auto group = [&](std::string_view what, const google::protobuf::RepeatedPtrField<std::string>& names) {
    for (const std::string& name : names) out += name + ": " + std::string(what) + "\n";
  };
  group(applied ? "added" : "would be added", diff.added());
  group(applied ? "removed" : "would be removed", diff.removed());
  group(applied ? "restarted (launch settings changed)" : "would restart (launch settings changed)", diff.restarted());
  group(applied ? "updated without a restart" : "would update without a restart", diff.updated());
  group("ERROR (invalid; the last good definition stays)", diff.invalid());
  for (const std::string& error : diff.errors()) out += "  " + error + "\n";
  if (out.empty()) out = "no changes\n";
  return out;
}

std::string RenderConfigDiffJson(const sup::v1::ConfigDiffResponse& diff) {
  JsonWriter json;
  json.BeginObject();
  WriteStrings(json, "added", diff.added());
  WriteStrings(json, "removed", diff.removed());
  WriteStrings(json, "restarted", diff.restarted());
  WriteStrings(json, "updated", diff.updated());
  WriteStrings(json, "unchanged", diff.unchanged());
  WriteStrings(json, "invalid", diff.invalid());
  WriteStrings(json, "errors", diff.errors());
  json.EndObject();
  return json.str() + "\n";
}

std::string_view ServingName(sup::v1::HealthCheckResponse::ServingStatus status) {
  switch (status) {
    case sup::v1::HealthCheckResponse::SERVING: return "SERVING";
    case sup::v1::HealthCheckResponse::NOT_SERVING: return "NOT_SERVING";
    default: return "UNKNOWN";
  }
}

}  // namespace sup::client
