// Output capture: each worker process writes stdout and stderr into overlapped named pipes
// (anonymous pipes cannot use the io completion port), whose read ends feed the worker's
// LineWriter on the io thread; the log file itself is opened, written and rotated on a file
// worker (QueuedLog), so the io thread never waits on it. The log files persist across restarts
// of the worker.
// Threading: io thread (the file work on the file workers).
#pragma once

#include "daemon/win/asio.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/fanout.h"
#include "common/config/config_model.h"
#include "common/win/unique_handle.h"
#include "common/file_workers.h"
#include "daemon/output/log_writer.h"
#include "daemon/output/queued_log.h"
#include "daemon/win/io_inbox.h"

namespace spdlog {
class logger;
}

namespace sup::win {

// A log file and its backups named by rotation time (output/backup_names.h), opened so that
// others can read it (and tools can tail it) while supd writes.
class WindowsLogFile final : public output::LogFile {
 public:
  // `path` may hold %VARIABLES%; missing folders are created. `clock` names the backups;
  // retention keeps `backups` of them, none older than `max_age_days` (0: no age limit).
  static Result<std::unique_ptr<WindowsLogFile>> Open(const std::string& path,
                                                      std::uint32_t backups, const Clock& clock,
                                                      std::uint32_t max_age_days = 0);
  Result<void> Append(std::string_view bytes) override;
  // One rename to a new backup name, then retention; a rename that fails (another program holds
  // the file without FILE_SHARE_DELETE) changes nothing and the file is appended to again.
  Result<void> Rotate() override;
  Result<void> Reopen() override {
    file_.reset();
    return OpenCurrent();
  }
  std::uint64_t size() const override { return size_; }
  std::optional<std::int64_t> modified_unix_ms() const override { return modified_unix_ms_; }

 private:
  WindowsLogFile(std::wstring path, std::uint32_t backups, const Clock& clock,
                 std::uint32_t max_age_days)
      : path_(std::move(path)), backups_(backups), clock_(clock), max_age_days_(max_age_days) {}
  Result<void> OpenCurrent();
  // Deletes the backups beyond LogBackups; one that cannot be deleted now is tried next time.
  void RemoveExpiredBackups(std::int64_t now_ms);
  // The names of the files in the log's folder that may be its backups.
  std::vector<std::string> ListBackups() const;

  std::wstring path_;
  std::uint32_t backups_;
  const Clock& clock_;
  std::uint32_t max_age_days_;
  UniqueFileHandle file_;
  std::optional<std::int64_t> modified_unix_ms_;  // of the file as found when opened
  std::uint64_t size_ = 0;
};

struct CaptureSettings {
  std::string path;
  std::uint64_t max_bytes = 0;
  std::uint32_t backups = 0;
  bool timestamps = false;
  OutputEncoding encoding = {};
  RotateEvery rotate_every = RotateEvery::kNone;
  std::uint32_t max_age_days = 0;
  bool operator==(const CaptureSettings&) const = default;
};

// Where the workers' log files are worked on: the file workers, and the way back to the io
// thread (io_context and inbox: the same one).
struct LogFileWork {
  boost::asio::io_context& io;
  FileWorkers& workers;
  IoInbox inbox;
  const Clock& clock;
};

// A worker's log file and its writer, shared by the streams sent to it (stdout and stderr to
// the same path: one writer, so one rotation and whole lines), across the worker's processes.
// The file is opened by the first line on a file worker: one that cannot be opened (a folder
// another user may write, a link) is a problem like a failed write, and the lines still reach
// the tail and followers.
class CapturedLog {
 public:
  static std::shared_ptr<CapturedLog> Open(const LogFileWork& work, CaptureSettings settings,
                                           std::shared_ptr<spdlog::logger> log);

  const CaptureSettings& settings() const { return settings_; }
  // Whether `settings` describe this log: the same file (paths compared as Windows does,
  // ignoring case) kept the same way.
  bool Matches(const CaptureSettings& settings) const;
  // Told when writing or rotating starts failing and when it heals; returns false to have the
  // log report it in supd's log itself.
  void OnProblem(std::function<bool(const std::optional<std::string>&)> on_problem) {
    on_problem_ = std::move(on_problem);
  }
  const output::LineWriter& writer() const { return writer_; }
  output::LineWriter& writer() { return writer_; }
  output::QueuedLog& file() { return file_; }
  const output::QueuedLog& file() const { return file_; }

 private:
  CapturedLog(const LogFileWork& work, CaptureSettings settings,
              std::shared_ptr<spdlog::logger> log);
  void ReportProblem(const std::optional<std::string>& problem);

  CaptureSettings settings_;
  std::shared_ptr<spdlog::logger> log_;
  std::function<bool(const std::optional<std::string>&)> on_problem_;
  // When readers pause for the file: the moment it would be found stuck.
  std::shared_ptr<boost::asio::steady_timer> stuck_timer_;
  output::QueuedLog file_;
  output::LineWriter writer_;
};

// One stream (stdout or stderr) of one worker, across its processes, into a CapturedLog. Pending
// reads keep it (and so its log) alive until their pipes end, after the store let go of it.
class OutputCapture : public std::enable_shared_from_this<OutputCapture> {
 public:
  OutputCapture(boost::asio::io_context& io, std::shared_ptr<CapturedLog> log)
      : io_(io), log_(std::move(log)) {}

  // A new pipe for the next process: the inheritable write end goes to the child; the read end
  // is read until every holder of the write end (the process and its children) has closed it.
  Result<UniqueHandle> ChildEnd(const std::string& pipe_name);

  const std::shared_ptr<CapturedLog>& log() const { return log_; }
  const output::LineWriter& writer() const { return log_->writer(); }
  output::LineWriter& writer() { return log_->writer(); }

  // `on_end` is called once when this capture is let go of (its worker was removed, or the
  // stream now goes elsewhere): the end of a `supctl logs -f`.
  Subscription FollowEnd(std::function<void()> on_end) {
    return ended_.Subscribe(std::move(on_end));
  }
  void End() { ended_.Publish(); }

 private:
  static constexpr std::size_t kSmallReadBytes = 4 * 1024;
  static constexpr std::size_t kLargeReadBytes = 64 * 1024;
  void Read(std::shared_ptr<boost::asio::windows::stream_handle> pipe,
            std::shared_ptr<std::vector<char>> buffer);

  boost::asio::io_context& io_;
  std::shared_ptr<CapturedLog> log_;
  output::LineWriter::Input input_;  // this stream's partial line
  Fanout<> ended_;
};

}  // namespace sup::win
