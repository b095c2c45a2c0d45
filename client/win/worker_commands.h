// `supctl worker add|set|unset|remove|list|show`: the command-line side of worker_edit over the
// registry (options, output, exit codes). --apply then asks supd to update the worker.
// `supctl worker set-password NAME`: asks the password (or reads it with --stdin), grants the
// worker's account the right to log on as a service, and hands the password to supd, which keeps
// it encrypted (never the registry in clear, a file or a command line).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sup::win {
class RegistryConfigStore;
}

namespace sup::client::win {

class WorkerCommands {
 public:
  explicit WorkerCommands(CLI::App& app);
  ~WorkerCommands();
  WorkerCommands(const WorkerCommands&) = delete;
  WorkerCommands& operator=(const WorkerCommands&) = delete;

  bool parsed() const;
  // What the subcommands ask of supd, each returning its exit code: `update` applies the registry
  // to the named workers (the update command), `set_password` keeps or forgets a worker's password.
  struct SupdCalls {
    std::function<int(const std::vector<std::string>& workers)> update;
    std::function<int(const std::string& worker, const std::string& password, bool forget)>
        set_password;
  };
  // Runs the parsed subcommand.
  int Run(bool json, const SupdCalls& supd);

 private:
  struct Options;
  int SetPassword(sup::win::RegistryConfigStore& store, const SupdCalls& supd) const;
  std::unique_ptr<Options> options_;
};

}  // namespace sup::client::win
