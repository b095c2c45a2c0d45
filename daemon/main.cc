// supd: the sup service. Composition root: parses the command line, builds the logger and the
// daemon, and hands them to the SCM or the console.
//
//   supd [run] [--console] [--config-key KEY] [--log-level LEVEL] [--pipe-prefix P]
//
// With no arguments it is what the SCM starts; command-line values override the registry's, so a
// service's ImagePath can carry them.
#include <windows.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdio>
#include <optional>
#include <string>

#include "common/protocol.h"
#include "common/version.h"
#include "common/supd_options.h"
#include "common/win/utf8_arguments.h"
#include "common/config/validate.h"
#include "common/config/win/registry_config.h"
#include "daemon/control/event_log_entry.h"
#include "daemon/win/daemon.h"
#include "daemon/control/win/event_log.h"
#include "daemon/win/logging.h"
#include "daemon/win/service_host.h"
#include "daemon/engine/win/worker_token.h"

namespace {

// supd's own log settings, LogDirectory and LogLevel, read from the registry before anything
// else so that even the first lines land where the configuration says; --log-level overrides.
// A configuration that cannot be read or holds an invalid daemon value gives the defaults: the
// daemon reports the reason itself once its log exists.
sup::win::LogSettings ReadLogSettings(const std::string& config_key,
                                      const std::optional<std::string>& level_override) {
  sup::DaemonConfig daemon = sup::config::ValidateConfig(sup::config::RawConfig{}).daemon;
  if (sup::Result<sup::win::RegistryPath> path = sup::win::ParseRegistryPath(config_key)) {
    sup::win::RegistryConfigSource source(*path, sup::win::RegistryConfigSource::Strings::kExpanded,
                                          sup::win::RegistryConfigSource::Reach::kDaemonValues);
    daemon = sup::config::DaemonValuesOrDefaults(source);
  }
  return {level_override.value_or(daemon.log_level), daemon.log_directory, daemon.operators_group,
          nullptr};
}

}  // namespace

int main() {
  CLI::App app{"supd: the sup process supervisor service", "supd"};
  app.set_version_flag("--version", sup::SupVersionWithCommit());
  bool console = false;
  sup::win::DaemonOptions options;
  std::optional<std::string> log_level;
  app.add_flag(sup::kSupdConsoleFlag, console,
               "Run in this console instead of as a service (Ctrl+C stops it)");
  app.add_option(sup::kSupdConfigKeyOption, options.config_key, "Registry key of the configuration")
      ->capture_default_str();
  app.add_option(sup::kSupdLogLevelOption, log_level,
                 "Log level (overrides the registry's LogLevel)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  std::string pipe_prefix;
  app.add_option(sup::kSupdPipePrefixOption, pipe_prefix,
                 "Pipe name prefix: pipes are <P>-control and <P>-health")
      ->check([](const std::string& prefix) -> std::string {
        return sup::PipePrefixProblem(prefix).value_or("");
      });
  app.add_subcommand("run", "Run supd (the default)")->fallthrough();

  const sup::win::Utf8Arguments arguments;
  try {
    app.parse(arguments.argc(), arguments.argv());
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (!pipe_prefix.empty()) options.pipe_prefix = pipe_prefix;
  sup::win::LogSettings log_settings = ReadLogSettings(options.config_key, log_level);

  // The SCM is tried first unless --console was given; the logger differs (file vs stderr), so it
  // is built once the mode is known.
  auto factory_with = [&options](std::shared_ptr<spdlog::logger> log) {
    sup::win::SendProtobufLogTo(log);
    return [&options, log](const sup::win::StartProgress& progress) {
      // Before any worker runs: none may terminate supd, read its memory or use it as a parent.
      if (sup::Result<void> protected_ = sup::win::ProtectOwnProcess(); !protected_)
        log->warn("supd's process descriptor not set reason=\"{}\"", protected_.error().message());
      return sup::win::Daemon::Create(options, log, progress);
    };
  };
  if (!console) {
    // A service reports to the event log, under its instance's source.
    options.event_log =
        std::make_shared<sup::win::WindowsEventLog>(sup::EventLogSourceName(options.pipe_prefix));
    log_settings.event_log = options.event_log;
    sup::Result<std::shared_ptr<spdlog::logger>> service_log =
        sup::win::MakeDaemonLogger(sup::win::LogTarget::kFile, log_settings);
    if (!service_log) {  // no writable log directory: still run, logging to stderr
      std::fprintf(stderr, "supd: %s\n", service_log.error().message().c_str());
      service_log = sup::win::MakeDaemonLogger(sup::win::LogTarget::kConsole, log_settings);
    }
    sup::Result<sup::win::HostOutcome> outcome =
        sup::win::RunAsService(factory_with(*service_log), *service_log);
    if (!outcome) {
      (*service_log)
          ->error("supd cannot run as a service reason=\"{}\"", outcome.error().message());
      std::fprintf(stderr, "supd: %s\n", outcome.error().message().c_str());
      return 1;
    }
    if (*outcome == sup::win::HostOutcome::kRanAsService) return 0;
    // Not started by the SCM: run in the console, which writes nothing to the event log.
    options.event_log = nullptr;
    log_settings.event_log = nullptr;
  }
  sup::Result<std::shared_ptr<spdlog::logger>> console_log =
      sup::win::MakeDaemonLogger(sup::win::LogTarget::kConsole, log_settings);
  if (!console_log) {
    std::fprintf(stderr, "supd: %s\n", console_log.error().message().c_str());
    return 2;
  }
  return sup::win::RunInConsole(factory_with(*console_log), *console_log);
}
