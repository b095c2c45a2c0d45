// supd's own log: where it goes depends on how supd runs. Built once in main and injected.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"

namespace spdlog {
class logger;
}

namespace sup::win {

// The event log source supd reports warnings and errors under.
inline constexpr char kEventLogSource[] = "supd";

enum class LogTarget {
  kConsole,  // stderr, for `supd run --console`
  kFile,     // <LogDirectory>\supd.log, rotated by size, plus the event log, for the service
};

// `level` is one of trace, debug, info, warn, error.
Result<std::shared_ptr<spdlog::logger>> MakeDaemonLogger(LogTarget target, const std::string& level);

// %ProgramData%\Sup\logs, the default LogDirectory.
std::string DefaultLogDirectory();

}  // namespace sup::win
