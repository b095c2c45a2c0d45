// supd's own log: where it goes depends on how supd runs. Built once in main and injected.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"

namespace spdlog {
class logger;
}
namespace sup::control {
class EventLogWriter;
}

namespace sup::win {

enum class LogTarget {
  kConsole,  // stderr, for `supd run --console`
  kFile,     // <directory>\supd.log, rotated by size, for the service
};

struct LogSettings {
  std::string level = "info";   // one of trace, debug, info, warn, error
  std::string directory;        // kFile: the folder of supd.log; may hold %VARIABLES%
  std::string operators_group;  // may read the folder when supd creates it; "" for none
  // kFile: where error lines also go (as SUPD_ERROR entries); none when null.
  std::shared_ptr<control::EventLogWriter> event_log;
};

Result<std::shared_ptr<spdlog::logger>> MakeDaemonLogger(LogTarget target,
                                                         const LogSettings& settings);

// Tells `on_problem` (on whichever thread finds it) when a kFile logger's supd.log stops taking
// writes (a write not ended after 10 s, lines not kept) or its writes or rotation fail, and
// nullopt when that ends; nullptr to stop telling. Nothing for a kConsole logger.
void OnDaemonLogProblem(spdlog::logger& log,
                        std::function<void(const std::optional<std::string>&)> on_problem);

// Closes a kFile logger's supd.log (what it logs afterwards goes only to the event log). The
// service calls it before it reports SERVICE_STOPPED: whoever waited for that (an uninstall
// deleting the log folder) finds no file of supd's still open.
void CloseDaemonLogFile(spdlog::logger& log);

// protobuf's own messages (e.g. "String field contains invalid UTF-8", one per bad request) go
// to `log` at debug level instead of stderr. Call once, before any message is parsed.
void SendProtobufLogTo(std::shared_ptr<spdlog::logger> log);

}  // namespace sup::win
