// supctl: the command-line client of supd. main parses the line and dispatches to a command
// module:
//
//   supctl [--pipe NAME] [-o table|json] [--timeout DURATION] COMMAND     (options anywhere)
//     status, start, stop, restart, reset, describe, logs, events, health, reread, update,
//     version                                            client/win/daemon_commands
//     service install|set|start|stop|status|uninstall    client/win/service_commands
//     worker add|set|unset|remove|list|show              client/win/worker_commands
//     config export|import                               client/win/config_commands
//     notify LINE...  (from inside a worker)              client/win/notify_command
//
// Exit codes (client/exit_codes.h): 0 ok, 1 failed, 2 usage, 3 some worker not running, 4 unknown
// worker or supd unreachable.
#include <fcntl.h>
#include <io.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "client/exit_codes.h"
#include "client/global_options.h"
#include "client/instance_pipes.h"
#include "client/duration.h"
#include "client/win/config_commands.h"
#include "client/win/daemon_commands.h"
#include "client/win/notify_command.h"
#include "client/win/scm_service.h"
#include "client/win/service_commands.h"
#include "client/win/worker_commands.h"
#include "common/config/win/registry_config.h"
#include "common/protocol.h"
#include "common/version.h"
#include "common/win/utf8_arguments.h"

int main() {
  // Binary stdout: the output is UTF-8 and "\n" stays "\n" for scripts.
  _setmode(_fileno(stdout), _O_BINARY);

  CLI::App app{"supctl: control the sup process supervisor", "supctl"};
  app.set_version_flag("--version", sup::SupVersionWithCommit());
  app.require_subcommand(1);
  // Global options anywhere on the line: `status -o json`, `restart a --wait --timeout 30s`.
  // Every subcommand made after this inherits it and hands options it does not know to supctl.
  app.fallthrough();
  sup::client::GlobalOptions options;
  std::string timeout_text = "10s";
  app.add_option("--pipe", options.pipe, "Control pipe name of the supd instance")
      ->capture_default_str();
  std::string output_text = "table";
  app.add_option("-o,--output", output_text, "Output format")
      ->check(CLI::IsMember({"table", "json"}, CLI::ignore_case))
      ->capture_default_str();
  app.add_option("--timeout", timeout_text, "How long to wait for supd (e.g. 500ms, 10s)")
      ->capture_default_str();

  sup::client::win::DaemonCommands daemon(app, options);
  sup::client::win::ServiceCommands service(app);
  sup::client::win::WorkerCommands worker_edit(app);
  sup::client::win::ConfigCommands config_file(app);
  sup::client::win::NotifyCommand notify(app);

  const sup::win::Utf8Arguments arguments;
  try {
    app.parse(arguments.argc(), arguments.argv());
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? sup::client::kExitOk : sup::client::kExitUsage;
  }
  // From inside a worker, which may read neither the configuration key nor supd's pipes: its own
  // notify pipe is all it needs.
  if (notify.parsed()) return notify.Run();
  sup::Result<std::chrono::milliseconds> timeout = sup::client::ParseDuration(timeout_text);
  if (!timeout) {
    std::fprintf(stderr, "supctl: --timeout: %s\n", timeout.error().message().c_str());
    return sup::client::kExitUsage;
  }
  options.timeout = *timeout;
  options.output = CLI::detail::to_lower(output_text) == "json" ? sup::client::OutputFormat::kJson
                                                                : sup::client::OutputFormat::kTable;
  options.timeout_given = app.get_option("--timeout")->count() > 0;
  // Without --pipe, the instance that the default configuration key describes (its ControlPipe);
  // the health pipe by the one rule of client/instance_pipes.h.
  const sup::DaemonConfig configured =
      sup::client::win::ConfiguredDaemonValues(std::string(sup::win::kDefaultConfigKey));
  if (app.get_option("--pipe")->count() == 0) options.pipe = configured.control_pipe;
  options.health_pipe = sup::client::HealthPipeFor(options.pipe, configured);

  if (daemon.parsed()) return daemon.Run();
  // The SCM and a restarting supd take longer than a request: 30 s unless --timeout says.
  if (service.parsed())
    return service.Run(options.timeout_given ? options.timeout : std::chrono::seconds(30),
                       options.json());
  // A supd the uninstall just told to stop may take a while to exit: 30 s unless --timeout says.
  if (config_file.parsed())
    return config_file.Run(options.timeout_given ? options.timeout : std::chrono::seconds(30));
  if (worker_edit.parsed()) {
    return worker_edit.Run(
        options.json(),
        {[&daemon](const std::vector<std::string>& names) { return daemon.Update(names); },
         [&daemon](const std::string& worker, const std::string& password, bool forget) {
           return daemon.SetPassword(worker, password, forget);
         }});
  }
  return sup::client::kExitUsage;
}
