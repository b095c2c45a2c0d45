// Everything supd runs, wired together: the single-instance guard, the control dispatcher and
// the control pipe server, all on one io thread.
//
// Threading: Create and Run on the thread that becomes the io thread; RequestStop from any thread.
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "common/win/unique_handle.h"
#include "daemon/core/control_dispatcher.h"

namespace boost::asio {
class io_context;
}
namespace spdlog {
class logger;
}

namespace sup::win {

class PipeServer;

struct DaemonOptions {
  std::string pipe_prefix = "sup";  // pipes <prefix>-control and <prefix>-health
  std::string config_key;           // registry key of the configuration
};

class Daemon {
 public:
  // Claims the instance and starts listening on the control pipe: when this returns, clients
  // can connect. Fails if another supd already serves the same pipes.
  static Result<std::unique_ptr<Daemon>> Create(const DaemonOptions& options, std::shared_ptr<spdlog::logger> log);
  ~Daemon();

  // Runs the io thread on the calling thread until a stop has completed.
  void Run();
  // Asks the io thread to stop; returns at once. Safe from any thread, also more than once.
  void RequestStop();

 private:
  Daemon(std::shared_ptr<spdlog::logger> log, UniqueHandle instance_mutex);

  std::shared_ptr<spdlog::logger> log_;
  UniqueHandle instance_mutex_;  // held for the daemon's life: one supd per pipe prefix
  SystemClock clock_;
  std::unique_ptr<boost::asio::io_context> io_;  // declared before the servers: destroyed after them
  ControlDispatcher dispatcher_;
  std::unique_ptr<PipeServer> control_server_;
};

}  // namespace sup::win
