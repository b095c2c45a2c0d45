// supctl: the command-line client of supd.
//
//   supctl [--pipe NAME] [-o table|json] [--timeout DURATION] COMMAND
//     status [WORKER...]   exit 0 all running, 3 some not running, 4 unknown worker / supd
//     unreachable start|stop|restart WORKER...|all [--wait]   --wait: until RUNNING and ready, or
//     down (--timeout) reset WORKER...|all describe WORKER logs WORKER [-f] [-n 20] [--stderr]
//     events [-f] [-n 20]
//     health [WORKER]      via the health pipe; exit 0 SERVING, 4 otherwise
//     reread | update [WORKER...]
//     version
//     service install|set|start|stop|status|uninstall ...   (client/win/service_commands)
//     worker add|set|unset|remove|list|show ...            (client/win/worker_commands)
//     config export|import ...                             (client/win/config_commands)
#include <windows.h>
#include <fcntl.h>
#include <io.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "client/console.h"
#include "client/duration.h"
#include "client/exit_codes.h"
#include "client/json.h"
#include "client/render.h"
#include "client/win/config_commands.h"
#include "client/win/health_query.h"
#include "client/win/service_commands.h"
#include "client/win/worker_commands.h"
#include "common/protocol.h"
#include "common/protocol_client.h"
#include "common/win/pipe_client.h"
#include "common/win/utf8_arguments.h"

namespace {

using sup::client::kExitFailure;
using sup::client::kExitUnknownOrUnreachable;

struct GlobalOptions {
  std::string pipe = sup::ControlPipeName();  // the health pipe is its sibling: <prefix>-health
  std::string output = "table";
  std::string timeout_text = "10s";
  std::chrono::milliseconds timeout{10'000};  // parsed from timeout_text
};

using sup::client::Print;

// Reports a failed command on stderr (and as {"error": ...} on stdout for -o json) and returns
// its exit code: unreachable daemon and unknown workers are 4, everything else 1.
int ReportError(const GlobalOptions& options, const sup::Error& error) {
  const bool unreachable = error.kind() == sup::ErrorKind::kUnavailable;
  std::string message = error.message();
  if (unreachable) message = "cannot reach supd: " + message + " (check `supctl service status`)";
  if (options.output == "json") {
    Print(sup::client::JsonLine(
        {{"error", {{"kind", sup::ErrorKindName(error.kind())}, {"message", message}}}}));
  }
  return sup::client::Fail(sup::Error(error.kind(), message));
}

// Connects to supd and makes one call.
sup::Result<sup::v1::Response> CallDaemon(const GlobalOptions& options,
                                          const sup::v1::Request& request) {
  sup::Result<sup::win::PipeClient> pipe =
      sup::win::PipeClient::Connect(options.pipe, options.timeout);
  if (!pipe) return pipe.error();
  sup::ControlClient client(*pipe);
  return client.Call(request);
}

// The health pipe of the same instance: "sup-control" -> "sup-health".
std::string HealthPipeOf(const std::string& control_pipe) {
  const std::string suffix = "-control";
  if (control_pipe.size() > suffix.size() && control_pipe.ends_with(suffix)) {
    return control_pipe.substr(0, control_pipe.size() - suffix.size()) + "-health";
  }
  return sup::HealthPipeName();
}

int RunStatus(const GlobalOptions& options, const std::vector<std::string>& workers) {
  sup::v1::Request request;
  for (const std::string& worker : workers) request.mutable_status()->add_workers(worker);
  if (workers.empty()) request.mutable_status();
  sup::Result<sup::v1::Response> response = CallDaemon(options, request);
  if (!response) return ReportError(options, response.error());
  const sup::v1::StatusResponse& status = response->status();
  Print(options.output == "json" ? sup::client::RenderStatusJson(status)
                                 : sup::client::RenderStatusTable(status));
  return sup::client::StatusExitCode(status);
}

// Polls the status of every worker `results` acted on until each is where `verb` leaves it
// (WaitIsOver), or the timeout passes. A CLI may poll; supd's side has no polling.
int WaitForTargets(const GlobalOptions& options, const std::string& verb,
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
  if (awaited.empty()) return sup::client::kExitOk;
  std::string pending;
  while (true) {
    sup::Result<sup::v1::Response> response = CallDaemon(options, request);
    if (!response) return ReportError(options, response.error());
    pending.clear();
    for (const sup::v1::WorkerStatus& worker : response->status().workers()) {
      if (!sup::client::WaitIsOver(verb, *awaited.at(worker.name()), worker)) {
        pending += (pending.empty() ? "" : ", ") + worker.name() + " (" +
                   std::string(sup::client::StateName(worker.state())) + ")";
      }
    }
    if (pending.empty()) return sup::client::kExitOk;
    if (std::chrono::steady_clock::now() >= deadline) break;
    ::Sleep(100);
  }
  std::fprintf(stderr, "supctl: timed out after %lld ms waiting for %s: %s\n",
               static_cast<long long>(options.timeout.count()),
               verb == "stop"      ? "a stop"
               : verb == "restart" ? "a new process, RUNNING and ready"
                                   : "RUNNING and ready",
               pending.c_str());
  return kExitFailure;
}

// start, stop, restart or reset of named workers or "all": one line per worker acted on (the
// named ones and the dependents taken down with them); with --wait, until they arrive.
int RunWorkerCommand(const GlobalOptions& options, const std::string& verb,
                     const std::vector<std::string>& targets, bool wait) {
  sup::v1::Request request;
  sup::v1::WorkerCommandRequest* command = verb == "start"     ? request.mutable_start()
                                           : verb == "stop"    ? request.mutable_stop()
                                           : verb == "restart" ? request.mutable_restart()
                                                               : request.mutable_reset();
  if (targets.size() == 1 && targets[0] == "all") {
    command->set_all(true);
  } else {
    for (const std::string& target : targets) command->add_workers(target);
  }
  sup::Result<sup::v1::Response> response = CallDaemon(options, request);
  if (!response) return ReportError(options, response.error());
  const sup::v1::WorkerCommandResponse& results = verb == "start"     ? response->start()
                                                  : verb == "stop"    ? response->stop()
                                                  : verb == "restart" ? response->restart()
                                                                      : response->reset();
  Print(options.output == "json" ? sup::client::RenderCommandResultsJson(results)
                                 : sup::client::RenderCommandResults(results));
  const int code = sup::client::CommandExitCode(results);
  if (code != sup::client::kExitOk || !wait || verb == "reset") return code;
  return WaitForTargets(options, verb, results);
}

int RunDescribe(const GlobalOptions& options, const std::string& worker) {
  sup::v1::Request request;
  request.mutable_describe()->set_worker(worker);
  sup::Result<sup::v1::Response> response = CallDaemon(options, request);
  if (!response) return ReportError(options, response.error());
  Print(options.output == "json" ? sup::client::RenderDescribeJson(response->describe())
                                 : sup::client::RenderDescribe(response->describe()));
  return sup::client::kExitOk;
}

// Streams: the first reply, then (with follow) every further frame until supd ends the stream
// or the user presses Ctrl+C.
template <typename Body, typename Render>
int RunStream(const GlobalOptions& options, const sup::v1::Request& request, bool follow, Body body,
              Render render) {
  sup::Result<sup::win::PipeClient> pipe =
      sup::win::PipeClient::Connect(options.pipe, options.timeout);
  if (!pipe) return ReportError(options, pipe.error());
  sup::ControlClient client(*pipe);
  sup::Result<sup::v1::Response> response = client.Call(request);
  if (follow) pipe->set_timeout(std::nullopt);
  while (true) {
    if (!response) return ReportError(options, response.error());
    const auto& frame = body(*response);
    render(frame);
    if (!follow || frame.end_of_stream()) return sup::client::kExitOk;
    response = client.Next();
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
          if (options.output == "json") {
            Print(sup::client::JsonLine({{"worker", worker}, {"line", line}}));
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
          Print(options.output == "json" ? sup::client::RenderEventJson(event)
                                         : sup::client::RenderEvent(event));
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
  Print(options.output == "json" ? sup::client::RenderConfigDiffJson(diff)
                                 : sup::client::RenderConfigDiff(diff, apply));
  return diff.invalid().empty() ? sup::client::kExitOk : kExitFailure;
}

int RunHealth(const GlobalOptions& options, const std::string& worker) {
  sup::Result<sup::v1::HealthCheckResponse::ServingStatus> answer =
      sup::client::win::AskHealth(HealthPipeOf(options.pipe), worker, options.timeout);
  if (!answer) return ReportError(options, answer.error());
  const auto status = *answer;
  const std::string_view name = sup::client::ServingName(status);
  if (options.output == "json") {
    Print(sup::client::JsonLine({{"service", worker}, {"status", name}}));
  } else {
    Print((worker.empty() ? std::string("supd") : worker) + ": " + std::string(name) + "\n");
  }
  return status == sup::v1::HealthCheckResponse::SERVING ? sup::client::kExitOk
                                                         : kExitUnknownOrUnreachable;
}

int RunVersion(const GlobalOptions& options) {
  sup::v1::Request request;
  request.mutable_version();
  sup::Result<sup::v1::Response> response = CallDaemon(options, request);
  if (!response) {
    if (options.output != "json") Print("supctl " + std::string(sup::kSupVersion) + "\n");
    return ReportError(options, response.error());
  }
  Print(options.output == "json"
            ? sup::client::RenderVersionJson(sup::kSupVersion, response->version())
            : sup::client::RenderVersionTable(sup::kSupVersion, response->version()));
  return sup::client::kExitOk;
}

}  // namespace

int main() {
  // Binary stdout: the output is UTF-8 and "\n" stays "\n" for scripts.
  _setmode(_fileno(stdout), _O_BINARY);

  CLI::App app{"supctl: control the sup process supervisor", "supctl"};
  app.set_version_flag("--version", std::string(sup::kSupVersion));
  app.require_subcommand(1);
  // Global options anywhere on the line: `status -o json`, `restart a --wait --timeout 30s`.
  // Every subcommand made after this inherits it and hands options it does not know to supctl.
  app.fallthrough();
  GlobalOptions options;
  app.add_option("--pipe", options.pipe, "Control pipe name of the supd instance")
      ->capture_default_str();
  app.add_option("-o,--output", options.output, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  app.add_option("--timeout", options.timeout_text, "How long to wait for supd (e.g. 500ms, 10s)")
      ->capture_default_str();

  std::vector<std::string> workers;
  CLI::App* status = app.add_subcommand("status", "Show the daemon and its workers");
  status->add_option("workers", workers, "Only these workers");
  CLI::App* version = app.add_subcommand("version", "Show the versions of supctl and supd");
  std::vector<std::string> targets;
  bool wait = false;
  std::vector<std::pair<std::string, CLI::App*>> worker_commands;
  for (const auto& [verb, help] : std::vector<std::pair<std::string, std::string>>{
           {"start", "Start workers"},
           {"stop", "Stop workers (their stop ladder, then terminate)"},
           {"restart", "Restart workers"},
           {"reset", "Clear restart counters and an open circuit breaker"}}) {
    CLI::App* command = app.add_subcommand(verb, help);
    command->add_option("workers", targets, "Worker names, or all")->required();
    if (verb != "reset") {
      command->add_flag("--wait", wait,
                        "Wait until RUNNING and ready (or, for stop, down); at most --timeout");
    }
    worker_commands.emplace_back(verb, command);
  }
  std::string worker;
  CLI::App* describe = app.add_subcommand(
      "describe", "Configuration, counters, recent events and last output of a worker");
  describe->add_option("worker", worker, "Worker name")->required();
  bool follow = false, error_stream = false;
  unsigned lines = 20;
  CLI::App* logs = app.add_subcommand("logs", "Last output lines of a worker; -f follows");
  logs->add_option("worker", worker, "Worker name")->required();
  logs->add_flag("-f,--follow", follow, "Keep printing new lines until Ctrl+C or supd stops");
  logs->add_option("-n,--lines", lines, "How many of the last lines first")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  logs->add_flag("--stderr", error_stream, "stderr instead of stdout");
  CLI::App* events = app.add_subcommand("events", "Recent events of every worker; -f follows");
  events->add_flag("-f,--follow", follow, "Keep printing new events until Ctrl+C or supd stops");
  events->add_option("-n,--limit", lines, "How many recent events first")->capture_default_str();
  CLI::App* health =
      app.add_subcommand("health", "Health via the health pipe: supd as a whole, or one worker");
  health->add_option("worker", worker, "Worker name (default: supd as a whole)");
  CLI::App* reread =
      app.add_subcommand("reread", "Show what applying the registry configuration would change");
  std::vector<std::string> update_workers;
  CLI::App* update =
      app.add_subcommand("update", "Apply the registry configuration, to all or the named workers");
  update->add_option("workers", update_workers, "Only these workers");
  sup::client::win::ServiceCommands service(app);
  sup::client::win::WorkerCommands worker_edit(app);
  sup::client::win::ConfigCommands config_file(app);

  const sup::win::Utf8Arguments arguments;
  try {
    app.parse(arguments.argc(), arguments.argv());
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? sup::client::kExitOk : sup::client::kExitUsage;
  }
  sup::Result<std::chrono::milliseconds> timeout = sup::client::ParseDuration(options.timeout_text);
  if (!timeout) {
    std::fprintf(stderr, "supctl: --timeout: %s\n", timeout.error().message().c_str());
    return sup::client::kExitUsage;
  }
  options.timeout = *timeout;

  // The SCM and a restarting supd take longer than a request: 30 s unless --timeout says.
  if (service.parsed()) {
    const bool timeout_given = app.get_option("--timeout")->count() > 0;
    return service.Run(timeout_given ? options.timeout : std::chrono::seconds(30),
                       options.output == "json");
  }

  if (config_file.parsed()) return config_file.Run();
  if (worker_edit.parsed()) {
    return worker_edit.Run(options.output == "json",
                           [&options](const std::vector<std::string>& names) {
                             return RunReconfigure(options, /*apply=*/true, names);
                           });
  }
  if (status->parsed()) return RunStatus(options, workers);
  if (version->parsed()) return RunVersion(options);
  if (describe->parsed()) return RunDescribe(options, worker);
  if (logs->parsed()) return RunLogs(options, worker, follow, lines, error_stream);
  if (events->parsed()) return RunEvents(options, follow, lines);
  if (health->parsed()) return RunHealth(options, worker);
  if (reread->parsed()) return RunReconfigure(options, /*apply=*/false, {});
  if (update->parsed()) return RunReconfigure(options, /*apply=*/true, update_workers);
  for (const auto& [verb, command] : worker_commands) {
    if (!command->parsed()) continue;
    return RunWorkerCommand(options, verb, targets, wait);
  }
  return sup::client::kExitUsage;
}
