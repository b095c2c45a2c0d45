#include "daemon/win/logging.h"

#include <windows.h>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "common/win/win32_error.h"

namespace sup::win {

std::string DefaultLogDirectory() {
  wchar_t expanded[MAX_PATH];
  const DWORD length = ::ExpandEnvironmentStringsW(L"%ProgramData%\\Sup\\logs", expanded, MAX_PATH);
  if (length == 0 || length > MAX_PATH) return "C:\\ProgramData\\Sup\\logs";
  return Narrow(expanded);
}

Result<std::shared_ptr<spdlog::logger>> MakeDaemonLogger(LogTarget target, const std::string& level) {
  const spdlog::level::level_enum parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    return Error(ErrorKind::kInvalidArgument, "log level \"" + level + "\" is not one of trace, debug, info, warn, error");
  }
  std::shared_ptr<spdlog::logger> logger;
  if (target == LogTarget::kConsole) {
    logger = std::make_shared<spdlog::logger>("supd", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  } else {
    const std::string directory = DefaultLogDirectory();
    std::error_code error;
    std::filesystem::create_directories(std::filesystem::path(Widen(directory)), error);
    if (error) {
      return Error(ErrorKind::kUnavailable, "creating the log directory " + directory + ": " + error.message());
    }
    constexpr std::size_t kMaxLogBytes = 10 * 1024 * 1024;
    constexpr std::size_t kLogBackups = 5;
    try {
      logger = std::make_shared<spdlog::logger>("supd", std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
                                                            directory + "\\supd.log", kMaxLogBytes, kLogBackups));
    } catch (const spdlog::spdlog_ex& e) {
      return Error(ErrorKind::kUnavailable, std::string("opening supd's log file: ") + e.what());
    }
  }
  logger->set_level(parsed);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->flush_on(spdlog::level::info);
  return logger;
}

}  // namespace sup::win
