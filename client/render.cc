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
                    worker.has_last_exit_code() ? std::to_string(worker.last_exit_code()) : "-", worker.description()});
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
  for (const WorkerStatus& worker : status.workers()) {
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
    json.Key("description").String(worker.description());
    json.EndObject();
  }
  json.EndArray().EndObject();
  return json.str() + "\n";
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
  const bool all_running = std::all_of(status.workers().begin(), status.workers().end(), [](const WorkerStatus& w) {
    return w.state() == WorkerStatus::RUNNING;
  });
  return all_running ? kExitOk : kExitNotAllRunning;
}

}  // namespace sup::client
