#include "client/win/daemon_commands.h"

#include <windows.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "client/win/console.h"
#include "client/exit_codes.h"
#include "client/json.h"
#include "client/render.h"
#include "client/win/health_query.h"
#include "client/win/secret_input.h"
#include "client/win/supd_connection.h"
#include "client/win/top_command.h"
#include "client/duration.h"
#include "common/protocol.h"
#include "common/version.h"
#include "common/protocol_client.h"
#include "common/win/pipe_client.h"

namespace sup::client::win {

struct DaemonCommands::Verbs {
  CLI::App* status = nullptr;
  CLI::App* version = nullptr;
  CLI::App* describe = nullptr;
  CLI::App* logs = nullptr;
  CLI::App* events = nullptr;
  CLI::App* health = nullptr;
  CLI::App* reread = nullptr;
  CLI::App* update = nullptr;
  CLI::App* top = nullptr;
  std::vector<std::pair<WorkerVerb, CLI::App*>> worker_commands;  // start, stop, restart, reset

  std::vector<std::string> workers;           // status
  std::vector<std::string> targets;           // start, stop, restart, reset
  bool wait = false;                          // start, stop, restart
  std::string worker;                         // describe, logs, health
  bool follow = false, error_stream = false;  // logs, events
  unsigned lines = 20;                        // logs, events
  std::vector<std::string> update_workers;    // update
  bool once = false;                          // top
  std::string sort = "cpu";                   // top
  std::string interval = "2s";                // top
};

namespace {

// Reports a failed command on stderr (and as {"error": ...} on stdout for -o json) and returns
// its exit code: unreachable daemon and unknown workers are 4, everything else 1.
int ReportError(const GlobalOptions& options, const sup::Error& error) {
  const bool unreachable = error.kind() == sup::ErrorKind::kUnavailable;
  std::string message = error.message();
  if (unreachable) message = "cannot reach supd: " + message + " (check `supctl service status`)";
  if (options.json()) {
    Print(
        JsonLine({{"error", {{"kind", sup::ErrorKindName(error.kind())}, {"message", message}}}}));
  }
  return Fail(sup::Error(error.kind(), message));
}

// Connects to supd and makes one call.
sup::Result<sup::v1::Response> CallDaemon(const GlobalOptions& options,
                                          const sup::v1::Request& request) {
  ControlConnection connection;
  return CallSupd(options.pipe, options.timeout, request, connection);
}

int RunStatus(const GlobalOptions& options, const std::vector<std::string>& workers) {
  sup::v1::Request request;
  for (const std::string& worker : workers) request.mutable_status()->add_workers(worker);
  if (workers.empty()) request.mutable_status();
  sup::Result<sup::v1::Response> response = CallDaemon(options, request);
  if (!response) return ReportError(options, response.error());
  const sup::v1::StatusResponse& status = response->status();
  Print(options.json() ? RenderStatusJson(status) : RenderStatusTable(status));
  return StatusExitCode(status);
}

// Polls the status of every worker `results` acted on until each is where `verb` leaves it
// (WaitIsOver), or the timeout passes. A CLI may poll; supd's side has no polling.
int WaitForTargets(const GlobalOptions& options, WorkerVerb verb,
                   const sup::v1::WorkerCommandResponse& results) {
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  sup::v1::Request request;
  std::map<std::string, const sup::v1::WorkerCommandResult*> awaited;
  for (const sup::v1::WorkerCommandResult& result : results.results()) {
    if (result.outcome() != sup::v1::WorkerCommandResult::DONE &&
        result.outcome() != sup::v1::WorkerCommandResult::ALREADY) {
      continue;
    }
    if (awaited.emplace(result.worker(), &result).second)
      request.mutable_status()->add_workers(result.worker());
  }
  if (awaited.empty()) return kExitOk;
  std::string pending;
  while (true) {
    sup::Result<sup::v1::Response> response = CallDaemon(options, request);
    if (!response) return ReportError(options, response.error());
    pending.clear();
    for (const sup::v1::WorkerStatus& worker : response->status().workers()) {
      if (!WaitIsOver(verb, *awaited.at(worker.name()), worker)) {
        pending += (pending.empty() ? "" : ", ") + worker.name() + " (" +
                   std::string(sup::NameOf(worker.state())) + ")";
      }
    }
    if (pending.empty()) return kExitOk;
    if (std::chrono::steady_clock::now() >= deadline) break;
    ::Sleep(100);
  }
  std::fprintf(stderr, "supctl: timed out after %lld ms waiting for %s: %s\n",
               static_cast<long long>(options.timeout.count()),
               verb == WorkerVerb::kStop      ? "a stop"
               : verb == WorkerVerb::kRestart ? "a new process, RUNNING and ready"
                                              : "RUNNING and ready",
               pending.c_str());
  return kExitFailure;
}

// start, stop, restart or reset of named workers or "all": one line per worker acted on (the
// named ones and the dependents taken down with them); with --wait, until they arrive.
int RunWorkerCommand(const GlobalOptions& options, WorkerVerb verb,
                     const std::vector<std::string>& targets, bool wait) {
  sup::v1::Request request;
  sup::v1::WorkerCommandRequest* command = nullptr;
  switch (verb) {
    case WorkerVerb::kStart: command = request.mutable_start(); break;
    case WorkerVerb::kStop: command = request.mutable_stop(); break;
    case WorkerVerb::kRestart: command = request.mutable_restart(); break;
    case WorkerVerb::kReset: command = request.mutable_reset(); break;
  }
  if (targets.size() == 1 && targets[0] == "all") {
    command->set_all(true);
  } else {
    for (const std::string& target : targets) command->add_workers(target);
  }
  sup::Result<sup::v1::Response> response = CallDaemon(options, request);
  if (!response) return ReportError(options, response.error());
  const sup::v1::WorkerCommandResponse& results = verb == WorkerVerb::kStart  ? response->start()
                                                  : verb == WorkerVerb::kStop ? response->stop()
                                                  : verb == WorkerVerb::kRestart
                                                      ? response->restart()
                                                      : response->reset();
  Print(options.json() ? RenderCommandResultsJson(results) : RenderCommandResults(results));
  const int code = CommandExitCode(results);
  if (code != kExitOk || !wait || verb == WorkerVerb::kReset) return code;
  return WaitForTargets(options, verb, results);
}

int RunDescribe(const GlobalOptions& options, const std::string& worker) {
  sup::v1::Request request;
  request.mutable_describe()->set_worker(worker);
  sup::Result<sup::v1::Response> response = CallDaemon(options, request);
  if (!response) return ReportError(options, response.error());
  Print(options.json() ? RenderDescribeJson(response->describe())
                       : RenderDescribe(response->describe()));
  return kExitOk;
}

// Streams: the first reply, then (with follow) every further frame until supd ends the stream
// or the user presses Ctrl+C.
template <typename Body, typename Render>
int RunStream(const GlobalOptions& options, const sup::v1::Request& request, bool follow, Body body,
              Render render) {
  ControlConnection connection;
  sup::Result<sup::v1::Response> response =
      CallSupd(options.pipe, options.timeout, request, connection);
  if (follow && connection.pipe) connection.pipe->set_timeout(std::nullopt);
  while (true) {
    if (!response) return ReportError(options, response.error());
    const auto& frame = body(*response);
    render(frame);
    if (!follow || frame.end_of_stream()) return kExitOk;
    response = connection.client->Next();
  }
}

int RunLogs(const GlobalOptions& options, const std::string& worker, bool follow, unsigned lines,
            bool error_stream) {
  sup::v1::Request request;
  sup::v1::LogsRequest* logs = request.mutable_logs();
  logs->set_worker(worker);
  logs->set_lines(lines);
  logs->set_follow(follow);
  logs->set_error_stream(error_stream);
  return RunStream(
      options, request, follow,
      [](const sup::v1::Response& r) -> const sup::v1::LogsResponse& { return r.logs(); },
      [&](const sup::v1::LogsResponse& frame) {
        for (const std::string& line : frame.lines()) {
          if (options.json()) {
            Print(JsonLine({{"worker", worker}, {"line", line}}));
          } else {
            Print(line + "\n");
          }
        }
      });
}

int RunEvents(const GlobalOptions& options, bool follow, unsigned limit) {
  sup::v1::Request request;
  request.mutable_events()->set_limit(limit);
  request.mutable_events()->set_follow(follow);
  return RunStream(
      options, request, follow,
      [](const sup::v1::Response& r) -> const sup::v1::EventsResponse& { return r.events(); },
      [&](const sup::v1::EventsResponse& frame) {
        for (const sup::v1::Event& event : frame.events()) {
          Print(options.json() ? RenderEventJson(event) : RenderEvent(event));
        }
      });
}

int RunReconfigure(const GlobalOptions& options, bool apply,
                   const std::vector<std::string>& workers) {
  sup::v1::Request request;
  if (apply) {
    request.mutable_update();
    for (const std::string& worker : workers) request.mutable_update()->add_workers(worker);
  } else {
    request.mutable_reread();
  }
  sup::Result<sup::v1::Response> response = CallDaemon(options, request);
  if (!response) return ReportError(options, response.error());
  const sup::v1::ConfigDiffResponse& diff = apply ? response->update() : response->reread();
  Print(options.json() ? RenderConfigDiffJson(diff) : RenderConfigDiff(diff, apply));
  return diff.invalid().empty() ? kExitOk : kExitFailure;
}

int RunHealth(const GlobalOptions& options, const std::string& worker) {
  sup::Result<sup::v1::HealthCheckResponse> answer =
      win::AskHealth(options.health_pipe, worker, options.timeout);
  if (!answer) return ReportError(options, answer.error());
  const auto status = answer->status();
  const std::string_view name = ServingName(status);
  const std::string& reason = answer->reason();  // supd's own: "supervision has not answered ..."
  if (options.json()) {
    Print(JsonLine({{"service", worker}, {"status", name}, {"reason", reason}}));
  } else {
    Print((worker.empty() ? std::string("supd") : worker) + ": " + std::string(name) +
          (reason.empty() ? "" : " (" + reason + ")") + "\n");
  }
  return status == sup::v1::HealthCheckResponse::SERVING ? kExitOk : kExitUnknownOrUnreachable;
}

int RunVersion(const GlobalOptions& options) {
  sup::v1::Request request;
  request.mutable_version();
  sup::Result<sup::v1::Response> response = CallDaemon(options, request);
  if (!response) {
    if (!options.json()) Print("supctl " + sup::SupVersionWithCommit() + "\n");
    return ReportError(options, response.error());
  }
  Print(options.json()
            ? RenderVersionJson(sup::SupVersion(), sup::SupCommit(), response->version())
            : RenderVersionTable(sup::SupVersion(), sup::SupCommit(), response->version()));
  return kExitOk;
}

}  // namespace

DaemonCommands::DaemonCommands(CLI::App& app, const GlobalOptions& options)
    : options_(options), verbs_(std::make_unique<Verbs>()) {
  Verbs& v = *verbs_;
  v.status = app.add_subcommand("status", "Show the daemon and its workers");
  v.status->add_option("workers", v.workers, "Only these workers");
  v.version = app.add_subcommand("version", "Show the versions of supctl and supd");
  struct VerbCommand {
    WorkerVerb verb;
    const char* name;
    const char* help;
  };
  for (const VerbCommand& verb :
       {VerbCommand{WorkerVerb::kStart, "start", "Start workers"},
        VerbCommand{WorkerVerb::kStop, "stop", "Stop workers (their stop ladder, then terminate)"},
        VerbCommand{WorkerVerb::kRestart, "restart", "Restart workers"},
        VerbCommand{WorkerVerb::kReset, "reset",
                    "Clear restart counters and an open circuit breaker"}}) {
    CLI::App* command = app.add_subcommand(verb.name, verb.help);
    command->add_option("workers", v.targets, "Worker names, or all")->required();
    if (verb.verb != WorkerVerb::kReset) {
      command->add_flag("--wait", v.wait,
                        "Wait until RUNNING and ready (or, for stop, down); at most --timeout");
    }
    v.worker_commands.emplace_back(verb.verb, command);
  }
  v.describe = app.add_subcommand(
      "describe", "Configuration, counters, recent events and last output of a worker");
  v.describe->add_option("worker", v.worker, "Worker name")->required();
  v.logs = app.add_subcommand("logs", "Last output lines of a worker; -f follows");
  v.logs->add_option("worker", v.worker, "Worker name")->required();
  v.logs->add_flag("-f,--follow", v.follow, "Keep printing new lines until Ctrl+C or supd stops");
  v.logs->add_option("-n,--lines", v.lines, "How many of the last lines first")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  v.logs->add_flag("--stderr", v.error_stream, "stderr instead of stdout");
  v.events = app.add_subcommand("events", "Recent events of every worker; -f follows");
  v.events->add_flag("-f,--follow", v.follow,
                     "Keep printing new events until Ctrl+C or supd stops");
  v.events->add_option("-n,--limit", v.lines, "How many recent events first")
      ->capture_default_str();
  v.health =
      app.add_subcommand("health", "Health via the health pipe: supd as a whole, or one worker");
  v.health->add_option("worker", v.worker, "Worker name (default: supd as a whole)");
  v.reread =
      app.add_subcommand("reread", "Show what applying the registry configuration would change");
  v.update =
      app.add_subcommand("update", "Apply the registry configuration, to all or the named workers");
  v.update->add_option("workers", v.update_workers, "Only these workers");
  v.top = app.add_subcommand("top",
                             "Live view of every worker's state and resources; q or Ctrl+C quits");
  v.top->add_flag("--once", v.once, "Print one frame and exit");
  v.top->add_option("--sort", v.sort, "Order: cpu, mem or name (highest first)")
      ->capture_default_str()
      ->check(CLI::IsMember({"cpu", "mem", "name"}));
  v.top->add_option("--interval", v.interval, "Time between frames (e.g. 1s, 500ms)")
      ->capture_default_str();
}

DaemonCommands::~DaemonCommands() = default;

bool DaemonCommands::parsed() const {
  const Verbs& v = *verbs_;
  for (CLI::App* verb :
       {v.status, v.version, v.describe, v.logs, v.events, v.health, v.reread, v.update, v.top}) {
    if (verb->parsed()) return true;
  }
  for (const auto& [verb, command] : v.worker_commands) {
    if (command->parsed()) return true;
  }
  return false;
}

int DaemonCommands::Update(const std::vector<std::string>& workers) {
  return RunReconfigure(options_, /*apply=*/true, workers);
}

int DaemonCommands::SetPassword(const std::string& worker, const std::string& password,
                                bool forget) {
  sup::v1::Request request;
  request.mutable_set_password()->set_worker(worker);
  request.mutable_set_password()->set_password(password);
  request.mutable_set_password()->set_forget(forget);
  sup::Result<sup::v1::Response> response = CallDaemon(options_, request);
  // The request's copy of the password goes now; the serialized frame went with the call.
  Wipe(*request.mutable_set_password()->mutable_password());
  if (!response) return ReportError(options_, response.error());
  const std::string& message = response->set_password().message();
  Print(options_.json() ? JsonLine({{"worker", worker}, {"message", message}}) : message + "\n");
  return kExitOk;
}

int DaemonCommands::Run() {
  const Verbs& v = *verbs_;
  const GlobalOptions& options = options_;
  if (v.status->parsed()) return RunStatus(options, v.workers);
  if (v.version->parsed()) return RunVersion(options);
  if (v.describe->parsed()) return RunDescribe(options, v.worker);
  if (v.logs->parsed()) return RunLogs(options, v.worker, v.follow, v.lines, v.error_stream);
  if (v.events->parsed()) return RunEvents(options, v.follow, v.lines);
  if (v.health->parsed()) return RunHealth(options, v.worker);
  if (v.reread->parsed()) return RunReconfigure(options, /*apply=*/false, {});
  if (v.update->parsed()) return Update(v.update_workers);
  if (v.top->parsed()) {
    sup::Result<std::chrono::milliseconds> interval = ParseDuration(v.interval);
    if (!interval) return Fail(interval.error().WithContext("--interval"));
    if (interval->count() < 100) {
      return Fail(sup::Error(sup::ErrorKind::kInvalidArgument, "--interval: at least 100ms"));
    }
    return RunTop(options,
                  TopOptions{.once = v.once, .sort = *ParseTopSort(v.sort), .interval = *interval});
  }
  for (const auto& [verb, command] : v.worker_commands) {
    if (command->parsed()) return RunWorkerCommand(options, verb, v.targets, v.wait);
  }
  return kExitUsage;
}

}  // namespace sup::client::win
