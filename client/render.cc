#include "client/render.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "client/exit_codes.h"
#include "client/json.h"
#include "common/format.h"
#include "common/worker_sid.h"

namespace sup::client {

using sup::v1::WorkerStatus;

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
  std::string out = "supd " + daemon.version() + ", pid " + std::to_string(daemon.pid()) +
                    ", uptime " + FormatUptime(std::chrono::milliseconds(daemon.uptime_ms())) +
                    ", config generation " + std::to_string(daemon.config_generation()) + "\n";
  for (const std::string& problem : daemon.problems()) out += "supd: " + problem + "\n";
  std::vector<std::vector<std::string>> rows = {{"NAME", "STATE", "HEALTH", "READY", "PID",
                                                 "UPTIME", "RESTARTS", "LAST-EXIT", "CPU", "MEM",
                                                 "DESCRIPTION"}};
  for (const WorkerStatus& worker : status.workers()) {
    const bool running = worker.state() == WorkerStatus::RUNNING;
    const bool sampled = worker.has_resources();
    rows.push_back({worker.name(), std::string(NameOf(worker.state())),
                    std::string(NameOf(worker.health())), worker.ready() ? "yes" : "no",
                    worker.pid() ? std::to_string(worker.pid()) : "-",
                    running ? FormatUptime(std::chrono::milliseconds(worker.uptime_ms())) : "-",
                    std::to_string(worker.restarts()),
                    worker.has_last_exit_code() ? FormatExitCode(worker.last_exit_code()) : "-",
                    sampled ? FormatPercent(worker.resources().cpu_percent()) : "-",
                    sampled ? FormatBytes(worker.resources().working_set_bytes()) : "-",
                    worker.description()});
  }
  out += FormatColumns(rows);
  if (status.workers().empty()) out += "(no workers configured)\n";
  return out;
}

std::optional<TopSort> ParseTopSort(std::string_view text) {
  if (text == "cpu") return TopSort::kCpu;
  if (text == "mem") return TopSort::kMem;
  if (text == "name") return TopSort::kName;
  return std::nullopt;
}

std::string RenderTop(const sup::v1::StatusResponse& status, TopSort sort) {
  std::vector<const WorkerStatus*> workers;
  double cpu = 0;
  std::uint64_t memory = 0;
  int running = 0;
  for (const WorkerStatus& worker : status.workers()) {
    workers.push_back(&worker);
    cpu += worker.resources().cpu_percent();
    memory += worker.resources().working_set_bytes();
    if (worker.state() == WorkerStatus::RUNNING) ++running;
  }
  const auto key = [sort](const WorkerStatus* worker) {
    return sort == TopSort::kCpu   ? worker->resources().cpu_percent()
           : sort == TopSort::kMem ? static_cast<double>(worker->resources().working_set_bytes())
                                   : 0.0;
  };
  std::stable_sort(workers.begin(), workers.end(),
                   [&](const WorkerStatus* a, const WorkerStatus* b) {
                     if (key(a) != key(b)) return key(a) > key(b);
                     return a->name() < b->name();
                   });
  const sup::v1::DaemonStatus& daemon = status.daemon();
  std::string out = "supd " + daemon.version() + ", pid " + std::to_string(daemon.pid()) +
                    ", uptime " + FormatUptime(std::chrono::milliseconds(daemon.uptime_ms())) +
                    "; " + std::to_string(status.workers_size()) + " workers, " +
                    std::to_string(running) + " running; CPU " + FormatPercent(cpu) + ", MEM " +
                    FormatBytes(memory) + "\n";
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "STATE", "HEALTH", "READY", "PID", "UPTIME", "RESTARTS", "CPU", "MEM"}};
  for (const WorkerStatus* worker : workers) {
    const bool sampled = worker->has_resources();
    rows.push_back({worker->name(), std::string(NameOf(worker->state())),
                    std::string(NameOf(worker->health())), worker->ready() ? "yes" : "no",
                    worker->pid() ? std::to_string(worker->pid()) : "-",
                    worker->state() == WorkerStatus::RUNNING
                        ? FormatUptime(std::chrono::milliseconds(worker->uptime_ms()))
                        : "-",
                    std::to_string(worker->restarts()),
                    sampled ? FormatPercent(worker->resources().cpu_percent()) : "-",
                    sampled ? FormatBytes(worker->resources().working_set_bytes()) : "-"});
  }
  return out + FormatColumns(rows);
}

std::string RenderStatusJson(const sup::v1::StatusResponse& status) {
  const sup::v1::DaemonStatus& daemon = status.daemon();
  Json json;
  json["daemon"] = {
      {"pid", daemon.pid()},
      {"version", daemon.version()},
      {"uptime_ms", daemon.uptime_ms()},
      {"config_generation", daemon.config_generation()},
      {"problems", std::vector<std::string>(daemon.problems().begin(), daemon.problems().end())}};
  json["workers"] = Json::array();
  for (const WorkerStatus& worker : status.workers()) json["workers"].push_back(WorkerJson(worker));
  return JsonLine(json);
}

Json WorkerJson(const WorkerStatus& worker) {
  Json json;
  json["name"] = worker.name();
  json["state"] = NameOf(worker.state());
  json["reason"] = NameOf(worker.reason());
  json["health"] = NameOf(worker.health());
  json["ready"] = worker.ready();
  json["pid"] = worker.pid();
  json["uptime_ms"] = worker.uptime_ms();
  json["restarts"] = worker.restarts();
  json["last_exit_code"] =
      worker.has_last_exit_code() ? Json(worker.last_exit_code()) : Json(nullptr);
  json["next_restart_ms"] = worker.next_restart_ms();
  json["serving"] = worker.serving();
  json["done"] = worker.done();
  json["launches"] = worker.launches();
  json["account"] = worker.account();
  json["status_text"] = worker.status_text();
  json["description"] = worker.description();
  // The job's resources; 0 when the worker has no running process (as pid).
  const sup::v1::WorkerResources& resources = worker.resources();
  json["cpu_seconds"] = resources.cpu_seconds();
  json["cpu_percent"] = resources.cpu_percent();
  json["private_bytes"] = resources.private_bytes();
  json["working_set_bytes"] = resources.working_set_bytes();
  json["processes"] = resources.processes();
  json["handles"] = resources.handles();
  json["io_read_bytes"] = resources.io_read_bytes();
  json["io_write_bytes"] = resources.io_write_bytes();
  return json;
}

std::string RenderVersionTable(std::string_view client_version, std::string_view client_commit,
                               const sup::v1::VersionResponse& daemon) {
  std::string text = "supctl " + std::string(client_version);
  if (!client_commit.empty()) text += " (commit " + std::string(client_commit) + ")";
  text += "\nsupd " + daemon.daemon_version() + " (";
  if (!daemon.daemon_commit().empty()) text += "commit " + daemon.daemon_commit() + ", ";
  return text + "protocol " + std::to_string(daemon.protocol_version()) + ")\n";
}

std::string RenderVersionJson(std::string_view client_version, std::string_view client_commit,
                              const sup::v1::VersionResponse& daemon) {
  Json json;
  json["supctl"] = {{"version", client_version}, {"commit", client_commit}};
  json["supd"] = {{"version", daemon.daemon_version()},
                  {"commit", daemon.daemon_commit()},
                  {"protocol_version", daemon.protocol_version()}};
  return JsonLine(json);
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
    out += result.worker() + ": " +
           (Failed(result) ? "ERROR (" + result.message() + ")" : result.message()) + "\n";
  }
  return out;
}

std::string RenderCommandResultsJson(const sup::v1::WorkerCommandResponse& response) {
  Json results = Json::array();
  for (const sup::v1::WorkerCommandResult& result : response.results()) {
    results.push_back({{"worker", result.worker()},
                       {"outcome", OutcomeName(result.outcome())},
                       {"message", result.message()},
                       {"dependency_of", result.dependency_of()},
                       {"launches", result.launches()}});
  }
  return JsonLine({{"results", results}});
}

int CommandExitCode(const sup::v1::WorkerCommandResponse& response) {
  int code = kExitOk;
  for (const sup::v1::WorkerCommandResult& result : response.results()) {
    if (result.outcome() == sup::v1::WorkerCommandResult::NOT_FOUND)
      return kExitUnknownOrUnreachable;
    if (Failed(result)) code = kExitFailure;
  }
  return code;
}

int StatusExitCode(const sup::v1::StatusResponse& status) {
  const bool all_serving = std::all_of(status.workers().begin(), status.workers().end(),
                                       [](const WorkerStatus& w) { return w.serving(); });
  return all_serving ? kExitOk : kExitNotAllRunning;
}

bool WaitIsOver(WorkerVerb verb, const sup::v1::WorkerCommandResult& result,
                const WorkerStatus& status) {
  if (verb == WorkerVerb::kStop) {
    return status.state() != WorkerStatus::RUNNING && status.state() != WorkerStatus::STARTING &&
           status.state() != WorkerStatus::STOPPING;
  }
  if (verb == WorkerVerb::kRestart && status.launches() <= result.launches())
    return false;  // still the old process
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
    case sup::v1::Event::OUTPUT: return "output";
    case sup::v1::Event::NOTIFY: return "notify";
    default: return "event";
  }
}

Json Strings(const google::protobuf::RepeatedPtrField<std::string>& items) {
  return Json(std::vector<std::string>(items.begin(), items.end()));
}

}  // namespace

std::string RenderEvent(const sup::v1::Event& event) {
  std::string line = FormatUtcMillis(event.time_unix_ms()) + "  " + event.worker() + "  ";
  switch (event.kind()) {
    case sup::v1::Event::TRANSITION:
      line += std::string(NameOf(event.from())) + " -> " + std::string(NameOf(event.to()));
      if (!NameOf(event.reason()).empty()) line += " (" + std::string(NameOf(event.reason())) + ")";
      break;
    case sup::v1::Event::PROBE:
      line += event.probe() + " probe " + (event.probe_success() ? "passed" : "failed");
      if (event.count() > 1) line += " " + std::to_string(event.count()) + " times in a row";
      break;
    default: line += std::string(KindName(event.kind())); break;
  }
  if (event.pid() != 0) line += " pid " + std::to_string(event.pid());
  if (event.has_exit_code()) line += " exit code " + FormatExitCode(event.exit_code());
  if (!event.message().empty()) line += ": " + event.message();
  return line + "\n";
}

Json EventJson(const sup::v1::Event& event) {
  Json json;
  json["time"] = FormatUtcMillis(event.time_unix_ms());
  json["worker"] = event.worker();
  json["kind"] = KindName(event.kind());
  if (event.kind() == sup::v1::Event::TRANSITION) {
    json["from"] = NameOf(event.from());
    json["to"] = NameOf(event.to());
  }
  json["reason"] = NameOf(event.reason());
  json["pid"] = event.pid();
  json["exit_code"] = event.has_exit_code() ? Json(event.exit_code()) : Json(nullptr);
  if (event.kind() == sup::v1::Event::PROBE) {
    json["probe"] = event.probe();
    json["success"] = event.probe_success();
    json["count"] = event.count();
  }
  json["message"] = event.message();
  return json;
}

std::string RenderEventJson(const sup::v1::Event& event) { return JsonLine(EventJson(event)); }

namespace {

// The value `name` of the definition in force, "" when describe did not carry it.
std::string ConfigValueOf(const sup::v1::DescribeResponse& describe, std::string_view name) {
  for (const sup::v1::ConfigValue& value : describe.config()) {
    if (value.name() == name) return value.value();
  }
  return "";
}

// The account the worker runs as: as supd logs it on, else its Account value (a definition
// that was refused), else LocalSystem.
std::string AccountOf(const sup::v1::DescribeResponse& describe) {
  if (!describe.status().account().empty()) return describe.status().account();
  const std::string account = ConfigValueOf(describe, "Account");
  return account.empty() ? "LocalSystem" : account;
}

// "runs as LocalSystem with a reduced token (writes where Users or its worker SID may), worker
// SID S-1-5-80-...".
std::string IdentityText(const sup::v1::DescribeResponse& describe) {
  const std::string account = AccountOf(describe);
  const bool system = account == "LocalSystem";
  std::string token = system ? "supd's full token (Restricted=0: it can take the machine over)"
                             : "the account's full token (Restricted=0)";
  if (ConfigValueOf(describe, "Restricted") != "0") {
    token = ConfigValueOf(describe, "WriteAccess") == "own"
                ? "a reduced token (writes only where its worker SID may)"
            : system ? "a reduced token (writes where Users or its worker SID may)"
                     : "a reduced token (writes where the account may)";
  }
  std::string password;
  switch (describe.password()) {
    case sup::v1::DescribeResponse::PASSWORD_KEPT: password = "; its password is kept"; break;
    case sup::v1::DescribeResponse::PASSWORD_MISSING:
      password =
          "; no password is kept (supctl worker set-password " + describe.status().name() + ")";
      break;
    default: break;
  }
  return "runs as " + account + " with " + token + ", worker SID " +
         WorkerSid(describe.status().name()) + password;
}

// describe -o json's "password": "kept", "missing", or "not needed".
std::string PasswordStateName(sup::v1::DescribeResponse::Password password) {
  switch (password) {
    case sup::v1::DescribeResponse::PASSWORD_KEPT: return "kept";
    case sup::v1::DescribeResponse::PASSWORD_MISSING: return "missing";
    default: return "not needed";
  }
}

}  // namespace

std::string RenderDescribe(const sup::v1::DescribeResponse& describe) {
  const WorkerStatus& worker = describe.status();
  std::string out = worker.name() + ": " + std::string(NameOf(worker.state()));
  if (!NameOf(worker.reason()).empty()) out += " (" + std::string(NameOf(worker.reason())) + ")";
  out += ", " + worker.description() + "\n";
  out +=
      "  health " + std::string(NameOf(worker.health())) + ", ready " +
      (worker.ready() ? "yes" : "no") + ", restarts " + std::to_string(worker.restarts()) +
      ", last exit code " +
      (worker.has_last_exit_code() ? std::to_string(worker.last_exit_code()) : std::string("-")) +
      "\n";
  out += "  " + IdentityText(describe) + "\n";
  if (worker.has_resources()) {
    const sup::v1::WorkerResources& r = worker.resources();
    char cpu_seconds[32];
    std::snprintf(cpu_seconds, sizeof(cpu_seconds), "%.2f s", r.cpu_seconds());
    out += "  cpu " + std::string(cpu_seconds) + " (" + FormatPercent(r.cpu_percent()) +
           " now), working set " + FormatBytes(r.working_set_bytes()) + ", private " +
           FormatBytes(r.private_bytes()) + ", " + std::to_string(r.processes()) +
           (r.processes() == 1 ? " process, " : " processes, ") + std::to_string(r.handles()) +
           " handles, i/o read " + FormatBytes(r.io_read_bytes()) + " written " +
           FormatBytes(r.io_write_bytes()) + "\n";
  }
  if (!describe.config_errors().empty()) {
    out += "\nConfiguration errors (the definition below stays in force):\n";
    for (const std::string& error : describe.config_errors()) out += "  " + error + "\n";
  }
  out += "\nConfiguration:\n";
  std::vector<std::vector<std::string>> rows;
  for (const sup::v1::ConfigValue& value : describe.config())
    rows.push_back({"  " + value.name(), value.value()});
  out += FormatColumns(rows);
  out += "\nRecent events:\n";
  for (const sup::v1::Event& event : describe.recent_events()) out += "  " + RenderEvent(event);
  const auto tail = [&](const char* title,
                        const google::protobuf::RepeatedPtrField<std::string>& lines) {
    out += std::string("\n") + title + ":\n";
    for (const std::string& line : lines) out += "  " + line + "\n";
  };
  if (describe.shared_tail()) {
    tail("Last stdout and stderr lines (one file)", describe.stdout_tail());
  } else {
    tail("Last stdout lines", describe.stdout_tail());
    tail("Last stderr lines", describe.stderr_tail());
  }
  return out;
}

std::string RenderDescribeJson(const sup::v1::DescribeResponse& describe) {
  Json json;
  json["status"] = WorkerJson(describe.status());
  json["account"] = AccountOf(describe);
  json["worker_sid"] = WorkerSid(describe.status().name());
  json["password"] = PasswordStateName(describe.password());
  json["config"] = Json::object();
  for (const sup::v1::ConfigValue& value : describe.config())
    json["config"][value.name()] = value.value();
  json["config_errors"] = Strings(describe.config_errors());
  json["recent_events"] = Json::array();
  for (const sup::v1::Event& event : describe.recent_events())
    json["recent_events"].push_back(EventJson(event));
  json["stdout_tail"] = Strings(describe.stdout_tail());
  json["stderr_tail"] = Strings(describe.stderr_tail());
  json["shared_tail"] = describe.shared_tail();
  return JsonLine(json);
}

std::string RenderConfigDiff(const sup::v1::ConfigDiffResponse& diff, bool applied) {
  std::string out;
  const auto group = [&](std::string_view what,
                         const google::protobuf::RepeatedPtrField<std::string>& names) {
    for (const std::string& name : names) out += name + ": " + std::string(what) + "\n";
  };
  group(applied ? "added" : "would be added", diff.added());
  group(applied ? "removed" : "would be removed", diff.removed());
  group(applied ? "restarted (launch settings changed)" : "would restart (launch settings changed)",
        diff.restarted());
  group(applied ? "updated without a restart" : "would update without a restart", diff.updated());
  group("ERROR (invalid; the last good definition stays)", diff.invalid());
  for (const std::string& error : diff.errors()) out += "  " + error + "\n";
  if (out.empty()) out = "no changes\n";
  return out;
}

std::string RenderConfigDiffJson(const sup::v1::ConfigDiffResponse& diff) {
  Json json;
  json["added"] = Strings(diff.added());
  json["removed"] = Strings(diff.removed());
  json["restarted"] = Strings(diff.restarted());
  json["updated"] = Strings(diff.updated());
  json["unchanged"] = Strings(diff.unchanged());
  json["invalid"] = Strings(diff.invalid());
  json["errors"] = Strings(diff.errors());
  return JsonLine(json);
}

std::string_view ServingName(sup::v1::HealthCheckResponse::ServingStatus status) {
  switch (status) {
    case sup::v1::HealthCheckResponse::SERVING: return "SERVING";
    case sup::v1::HealthCheckResponse::NOT_SERVING: return "NOT_SERVING";
    default: return "UNKNOWN";
  }
}

}  // namespace sup::client
