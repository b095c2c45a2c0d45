// Runs the daemon under the Service Control Manager, or in a console when it was not started by
// the SCM. Both report the same way: the daemon is built first (config loaded, pipes listening)
// and only then does the service say RUNNING.
#pragma once

#include <functional>
#include <memory>

#include "common/result.h"
#include "daemon/win/daemon.h"

namespace spdlog {
class logger;
}

namespace sup::win {

// Builds the daemon, reporting each phase of its start to `progress`.
using DaemonFactory = std::function<Result<std::unique_ptr<Daemon>>(const StartProgress& progress)>;

enum class HostOutcome {
  kRanAsService,  // the SCM ran the service to its end
  kNotAService,   // StartServiceCtrlDispatcherW: not started by the SCM; run in the console instead
};

// Hands the calling (main) thread to the SCM dispatcher until the service stops. ServiceMain
// runs the daemon's io thread; the control handler only posts to it.
Result<HostOutcome> RunAsService(DaemonFactory factory, std::shared_ptr<spdlog::logger> log);

// Runs the daemon in this console until Ctrl+C, Ctrl+Break or the console closes. Returns the
// process exit code.
int RunInConsole(DaemonFactory factory, std::shared_ptr<spdlog::logger> log);

}  // namespace sup::win
