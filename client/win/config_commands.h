// `supctl config export [--format reg|json] [FILE]` and `supctl config import FILE [--replace]`:
// the whole registry configuration to and from a file (common/config/config_file);
// `supctl config delete --yes [--logs]`: all of it gone (the MSI's uninstall with REMOVE_CONFIG=1);
// --logs waits up to --timeout (30 s unless given) for a stopping supd.
#pragma once

#include <chrono>
#include <memory>

namespace CLI {
class App;
}
namespace sup::win {
struct RegistryPath;
}

namespace sup::client::win {

class ConfigCommands {
 public:
  explicit ConfigCommands(CLI::App& app);
  ~ConfigCommands();
  ConfigCommands(const ConfigCommands&) = delete;
  ConfigCommands& operator=(const ConfigCommands&) = delete;

  bool parsed() const;
  // `supd_exit_wait`: how long `delete --logs` waits for a running supd to exit.
  int Run(std::chrono::milliseconds supd_exit_wait);

 private:
  int Delete(const sup::win::RegistryPath& path, std::chrono::milliseconds supd_exit_wait) const;
  struct Options;
  std::unique_ptr<Options> options_;
};

}  // namespace sup::client::win
