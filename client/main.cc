// supctl: the command-line client of supd.
//
//   supctl [--pipe NAME] [-o table|json] [--timeout DURATION] COMMAND
//     status [WORKER...]   exit 0 all running, 3 some not running, 4 unknown worker / supd unreachable
//     start|stop|restart|reset WORKER...|all
//     version
#include <windows.h>
#include <fcntl.h>
#include <io.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "client/duration.h"
#include "client/exit_codes.h"
#include "client/json_writer.h"
#include "client/render.h"
#include "common/protocol.h"
#include "common/protocol_client.h"
#include "common/win/pipe_client.h"
#include "common/win/utf8_arguments.h"

namespace {

using sup::client::kExitFailure;
using sup::client::kExitUnknownOrUnreachable;

struct GlobalOptions {
  std::string pipe = sup::ControlPipeName();
  std::string output = "table";
  std::string timeout_text = "10s";
  std::chrono::milliseconds timeout{10'000};  // parsed from timeout_text
};

void Print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

// Reports a failed command on stderr (and as {"error": ...} on stdout for -o json) and returns
// its exit code: unreachable daemon and unknown workers are 4, everything else 1.
int ReportError(const GlobalOptions& options, const sup::Error& error) {
  const bool unreachable = error.kind() == sup::ErrorKind::kUnavailable;
  std::string message = error.message();
  if (unreachable) message = "cannot reach supd: " + message + " (check `supctl service status`)";
  if (options.output == "json") {
    sup::client::JsonWriter json;
    json.BeginObject().Key("error").BeginObject();
    json.Key("kind").String(sup::ErrorKindName(error.kind()));
    json.Key("message").String(message);
    json.EndObject().EndObject();
    Print(json.str() + "\n");
  }
  std::fprintf(stderr, "supctl: %s\n", message.c_str());
  const bool unknown_or_unreachable = unreachable || error.kind() == sup::ErrorKind::kNotFound;
  return unknown_or_unreachable ? kExitUnknownOrUnreachable : kExitFailure;
}

// Connects to supd and makes one call.
sup::Result<sup::v1::Response> CallDaemon(const GlobalOptions& options, const sup::v1::Request& request) {
  sup::Result<sup::win::PipeClient> pipe = sup::win::PipeClient::Connect(options.pipe, options.timeout);
  if (!pipe) return pipe.error();
  sup::ControlClient client(*pipe);
  return client.Call(request);
}

int RunStatus(const GlobalOptions& options, const std::vector<std::string>& workers) {
  sup::v1::Request request;
  for (const std::string& worker : workers) request.mutable_status()->add_workers(worker);
  if (workers.empty()) request.mutable_status();
  sup::Result<sup::v1::Response> response = CallDaemon(options, request);
  if (!response) return ReportError(options, response.error());
  const sup::v1::StatusResponse& status = response->status();
  Print(options.output == "json" ? sup::client::RenderStatusJson(status) : sup::client::RenderStatusTable(status));
  return sup::client::StatusExitCode(status);
}

// start, stop, restart or reset of named workers or "all": one line per target.
int RunWorkerCommand(const GlobalOptions& options, const std::string& verb, const std::vector<std::string>& targets) {
  sup::v1::Request request;
  sup::v1::WorkerCommandRequest* command = verb == "start"  ? request.mutable_start()
                                           : verb == "stop" ? request.mutable_stop()
                                           : verb == "restart" ? request.mutable_restart()
                                                               : request.mutable_reset();
  if (targets.size() == 1 && targets[0] == "all") {
    command->set_all(true);
  } else {
    for (const std::string& target : targets) command->add_workers(target);
  }
  sup::Result<sup::v1::Response> response = CallDaemon(options, request);
  if (!response) return ReportError(options, response.error());
  const sup::v1::WorkerCommandResponse& results = verb == "start"    ? response->start()
                                                  : verb == "stop"   ? response->stop()
                                                  : verb == "restart" ? response->restart()
                                                                      : response->reset();
  Print(options.output == "json" ? sup::client::RenderCommandResultsJson(results)
                                 : sup::client::RenderCommandResults(results));
  return sup::client::CommandExitCode(results);
}

int RunVersion(const GlobalOptions& options) {
  sup::v1::Request request;
  request.mutable_version();
  sup::Result<sup::v1::Response> response = CallDaemon(options, request);
  if (!response) {
    if (options.output != "json") Print("supctl " + std::string(sup::kSupVersion) + "\n");
    return ReportError(options, response.error());
  }
  Print(options.output == "json" ? sup::client::RenderVersionJson(sup::kSupVersion, response->version())
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
  GlobalOptions options;
  app.add_option("--pipe", options.pipe, "Control pipe name of the supd instance")->capture_default_str();
  app.add_option("-o,--output", options.output, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  app.add_option("--timeout", options.timeout_text, "How long to wait for supd (e.g. 500ms, 10s)")->capture_default_str();

  std::vector<std::string> workers;
  CLI::App* status = app.add_subcommand("status", "Show the daemon and its workers");
  status->add_option("workers", workers, "Only these workers");
  CLI::App* version = app.add_subcommand("version", "Show the versions of supctl and supd");
  std::vector<std::string> targets;
  std::vector<std::pair<std::string, CLI::App*>> worker_commands;
  for (const auto& [verb, help] : std::vector<std::pair<std::string, std::string>>{
           {"start", "Start workers"},
           {"stop", "Stop workers (their stop ladder, then terminate)"},
           {"restart", "Restart workers"},
           {"reset", "Clear restart counters and an open circuit breaker"}}) {
    CLI::App* command = app.add_subcommand(verb, help);
    command->add_option("workers", targets, "Worker names, or all")->required();
    worker_commands.emplace_back(verb, command);
  }

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

  if (status->parsed()) return RunStatus(options, workers);
  if (version->parsed()) return RunVersion(options);
  for (const auto& [verb, command] : worker_commands) {
    if (command->parsed()) return RunWorkerCommand(options, verb, targets);
  }
  return sup::client::kExitUsage;
}
