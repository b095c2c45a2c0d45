#include "daemon/win/logging.h"

#include <windows.h>

#include <google/protobuf/stubs/logging.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "common/text_encoding.h"
#include "common/win/object_security.h"
#include "common/win/own_folder.h"
#include "common/win/win32_error.h"
#include "daemon/win/event_log.h"

namespace sup::win {

namespace {

// protobuf's log handler is a plain function: the logger it writes to lives here.
std::shared_ptr<spdlog::logger>& ProtobufLog() {
  static std::shared_ptr<spdlog::logger> log;
  return log;
}

void LogProtobufMessage(google::protobuf::LogLevel, const char* file, int line,
                        const std::string& message) {
  if (const std::shared_ptr<spdlog::logger>& log = ProtobufLog()) {
    log->debug("protobuf message=\"{}\" at={}:{}", message, file, line);
  }
}

}  // namespace

void SendProtobufLogTo(std::shared_ptr<spdlog::logger> log) {
  ProtobufLog() = std::move(log);
  google::protobuf::SetLogHandler(&LogProtobufMessage);
}

Result<std::shared_ptr<spdlog::logger>> MakeDaemonLogger(LogTarget target,
                                                         const LogSettings& settings) {
  const spdlog::level::level_enum parsed = spdlog::level::from_str(settings.level);
  if (parsed == spdlog::level::off && settings.level != "off") {
    return Error(
        ErrorKind::kInvalidArgument,
        "log level \"" + settings.level + "\" is not one of trace, debug, info, warn, error");
  }
  std::shared_ptr<spdlog::logger> logger;
  if (target == LogTarget::kConsole) {
    logger =
        std::make_shared<spdlog::logger>("supd", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  } else {
    const std::string directory = Narrow(ExpandEnvironmentVariables(Widen(settings.directory)));
    // Made for SYSTEM and Administrators (the operators group may read), or refused if someone
    // else made it first: worker output may hold secrets, and supd rotates and deletes files here
    // as SYSTEM. A group that cannot be resolved now (a domain group before the network is up)
    // gets no entry; an existing folder is left as it is.
    std::string readers;
    if (!settings.operators_group.empty()) {
      if (Result<std::string> sid = AccountSid(settings.operators_group)) readers = *sid;
    }
    if (Result<void> folder = EnsureOwnFolder(directory, OwnFolderSddl(readers)); !folder)
      return folder.error().WithContext("LogDirectory");
    constexpr std::size_t kMaxLogBytes = 10 * 1024 * 1024;
    constexpr std::size_t kLogBackups = 5;
    try {
      // A UTF-16 name (SPDLOG_WCHAR_FILENAMES): the folder may be named outside the ANSI code page.
      auto file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
          Widen(directory) + L"\\supd.log", kMaxLogBytes, kLogBackups);
      // The file sits in a distributing sink that CloseDaemonLogFile can empty: spdlog's file
      // sinks close their file only when destroyed.
      auto closable = std::make_shared<spdlog::sinks::dist_sink_mt>();
      closable->add_sink(file);
      // Errors also go to the Windows event log (the lifecycle, crashes and the rest have entries
      // of their own: control::EventLogEntry). Wine has no event log: the file keeps everything.
      logger = std::make_shared<spdlog::logger>("supd", closable);
      if (settings.event_log) logger->sinks().push_back(EventLogErrorSink(settings.event_log));
    } catch (const spdlog::spdlog_ex& e) {
      return Error(ErrorKind::kUnavailable,
                   std::string("opening supd's log file: ") + ToValidUtf8(e.what()));
    }
    // A sink that fails (the event log under Wine, a full disk) must never take supd down or
    // flood stderr: the other sink still has the line.
    logger->set_error_handler([](const std::string&) {});
  }
  logger->set_level(parsed);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->flush_on(spdlog::level::info);
  return logger;
}

void CloseDaemonLogFile(spdlog::logger& log) {
  log.flush();
  // The logger's list of sinks is not changed here (it is not guarded); the distributing sink's
  // own list is, under its mutex.
  for (const spdlog::sink_ptr& sink : log.sinks()) {
    if (auto closable = std::dynamic_pointer_cast<spdlog::sinks::dist_sink_mt>(sink))
      closable->set_sinks({});
  }
}

}  // namespace sup::win
