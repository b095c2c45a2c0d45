// The verbs answered by a running supd over the control pipe (status, start, stop, restart, reset,
// describe, logs, events, reread, update, version) and by its health pipe (health): the
// command-line side of the protocol (options, output, exit codes).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "client/global_options.h"

namespace CLI {
class App;
}

namespace sup::client::win {

class DaemonCommands {
 public:
  // Adds the verbs to `app`; `options` is read when a verb runs, after parsing.
  DaemonCommands(CLI::App& app, const GlobalOptions& options);
  ~DaemonCommands();
  DaemonCommands(const DaemonCommands&) = delete;
  DaemonCommands& operator=(const DaemonCommands&) = delete;

  bool parsed() const;
  // Runs the parsed verb; returns the exit code.
  int Run();
  // `supctl update [WORKER...]`: applies the registry configuration in supd (also what
  // `worker ... --apply` does). Returns the exit code.
  int Update(const std::vector<std::string>& workers);
  // `supctl worker set-password NAME`: supd keeps `password` for `worker` (or, with `forget`,
  // forgets the one it keeps). Returns the exit code.
  int SetPassword(const std::string& worker, const std::string& password, bool forget);

 private:
  struct Verbs;
  const GlobalOptions& options_;
  std::unique_ptr<Verbs> verbs_;  // kept out of the header with the CLI11 types
};

}  // namespace sup::client::win
