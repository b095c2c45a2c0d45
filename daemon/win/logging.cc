#include "daemon/win/logging.h"

#include <windows.h>

#include <google/protobuf/stubs/logging.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <mutex>

#include "common/clock.h"
#include "common/text_encoding.h"
#include "common/win/object_security.h"
#include "common/win/own_folder.h"
#include "common/win/text.h"
#include "daemon/control/win/event_log.h"
#include "common/file_workers.h"
#include "daemon/output/background_log.h"
#include "daemon/output/win/output_capture.h"

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

// supd.log through the writer the workers' logs use (WindowsLogFile, RotatingFile): opened by
// handle, never through a link, a second name (hard link) or a folder someone else may write;
// rotated by renaming the file to a backup named by its time, keeping kBackups, and never
// truncated (spdlog's rotating sink truncates the file when its rename fails: the lines of the
// day are lost). While the rename keeps failing (a viewer holds the file without delete sharing)
// the file grows up to four times its limit, then lines go only to the event log's sink, if any.
// Written on a file worker of its own (BackgroundLog): the thread that logs never waits for it.
class DaemonLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  static constexpr std::uint64_t kMaxBytes = 10 * 1024 * 1024;
  static constexpr std::uint32_t kBackups = 5;

  static Result<std::shared_ptr<DaemonLogSink>> Open(const std::string& path) {
    auto sink = std::shared_ptr<DaemonLogSink>(new DaemonLogSink);
    Result<std::unique_ptr<WindowsLogFile>> file =
        WindowsLogFile::Open(path, kBackups, sink->clock_);
    if (!file) return file.error();
    sink->file_.emplace(sink->workers_, std::move(*file), sink->clock_,
                        output::BackgroundLog::Options{.name = "supd.log " + path,
                                                       .file = {.max_bytes = kMaxBytes}},
                        [sink = sink.get()](std::uint64_t lost) { return sink->Notice(lost); });
    return sink;
  }

  void OnProblem(output::BackgroundLog::ProblemSink on_problem) {
    file_->OnProblem(std::move(on_problem));
  }

 private:
  DaemonLogSink() = default;

  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t line;
    formatter_->format(message, line);
    file_->Add(std::string_view(line.data(), line.size()));
  }
  void flush_() override {}  // the file worker writes what waits as soon as it can

  // Called from sink_it_ (under the sink's lock, which the formatter needs).
  std::string Notice(std::uint64_t lost_lines) {
    spdlog::memory_buf_t notice;
    formatter_->format(
        spdlog::details::log_msg("supd", spdlog::level::warn,
                                 std::to_string(lost_lines) +
                                     " lines of supd's log were not written: the file took none"),
        notice);
    return std::string(notice.data(), notice.size());
  }

  SystemClock clock_;    // names the backups; before file_, which refers to it
  FileWorkers workers_;  // before file_: destroyed after it, waiting a moment for the last lines
  std::optional<output::BackgroundLog> file_;
};

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
    // A folder others may write is refused: supd would rename and delete in it as SYSTEM. (Its
    // own folders under ProgramData\Sup are repaired where supd starts, EnsureSupDataFolder.)
    if (Result<std::optional<std::string>> folder =
            EnsureOwnFolder(directory, OwnFolderSddl(readers, OwnUserSid()));
        !folder) {
      return folder.error().WithContext("LogDirectory");
    }
    Result<std::shared_ptr<DaemonLogSink>> file = DaemonLogSink::Open(directory + "\\supd.log");
    if (!file) return file.error().WithContext("opening supd's log file");
    try {
      // The file sits in a distributing sink that CloseDaemonLogFile can empty: a sink closes its
      // file only when destroyed.
      auto closable = std::make_shared<spdlog::sinks::dist_sink_mt>();
      closable->add_sink(*file);
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

void OnDaemonLogProblem(spdlog::logger& log,
                        std::function<void(const std::optional<std::string>&)> on_problem) {
  for (const spdlog::sink_ptr& sink : log.sinks()) {
    auto closable = std::dynamic_pointer_cast<spdlog::sinks::dist_sink_mt>(sink);
    if (!closable) continue;
    for (const spdlog::sink_ptr& inner : closable->sinks()) {
      if (auto file = std::dynamic_pointer_cast<DaemonLogSink>(inner)) file->OnProblem(on_problem);
    }
  }
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
