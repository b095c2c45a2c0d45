// `supctl worker add|set|unset|remove|list|show`: the command-line side of worker_edit over the
// registry (options, output, exit codes). --apply then asks supd to update the worker.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sup::client::win {

class WorkerCommands {
 public:
  explicit WorkerCommands(CLI::App& app);
  ~WorkerCommands();
  WorkerCommands(const WorkerCommands&) = delete;
  WorkerCommands& operator=(const WorkerCommands&) = delete;

  bool parsed() const;
  // Runs the parsed subcommand. `update` applies the registry to the named workers in supd (the
  // update command) and returns its exit code.
  int Run(bool json, const std::function<int(const std::vector<std::string>&)>& update);

 private:
  struct Options;
  std::unique_ptr<Options> options_;
};

}  // namespace sup::client::win
