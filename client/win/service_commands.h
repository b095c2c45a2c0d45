// `supctl service install|set|start|stop|status|uninstall`: the command-line side of
// ScmServiceManager (options, output, exit codes).
#pragma once

#include <chrono>
#include <memory>
#include <string>

namespace CLI {
class App;
}

namespace sup::client::win {

class ServiceCommands {
 public:
  // Adds `service` and its subcommands to `app`.
  explicit ServiceCommands(CLI::App& app);
  ~ServiceCommands();
  ServiceCommands(const ServiceCommands&) = delete;
  ServiceCommands& operator=(const ServiceCommands&) = delete;

  bool parsed() const;
  // Runs the parsed subcommand; `timeout` bounds each wait for the SCM or supd. Returns the exit
  // code.
  int Run(std::chrono::milliseconds timeout, bool json);

 private:
  struct Options;
  std::unique_ptr<Options> options_;  // kept out of the header with the CLI11 types
};

}  // namespace sup::client::win
